#include "core/image_experiment_store.h"

#include "core/binary_io.h"
#include "core/content_hash.h"
#include "core/image_io.h"
#include "core/workspace_cache.h"

namespace loupe {
namespace {

constexpr std::uint32_t kDreamMagic = 0x4C445231;  // "LDR1"
constexpr std::uint32_t kStyleMagic = 0x4C535431;  // "LST1"
constexpr std::uint32_t kAttackMagic = 0x4C414431;  // "LAD1"

std::string imageKey(const RgbImage& image)
{
    return sha256OfBytes(std::to_string(image.width) + "x" + std::to_string(image.height) + ":" +
        std::string(image.pixels.begin(), image.pixels.end()));
}

void putPredictions(BinaryWriter& w, const std::vector<Prediction>& predictions)
{
    w.put(std::uint32_t(predictions.size()));
    for (const auto& p : predictions) {
        w.put(std::int32_t(p.index));
        w.putString(p.label);
        w.put(p.probability);
    }
}

std::vector<Prediction> getPredictions(BinaryReader& r)
{
    const auto count = r.get<std::uint32_t>();
    if (count > 100000)
        r.corrupt();
    std::vector<Prediction> out(count);
    for (auto& p : out) {
        p.index = r.get<std::int32_t>();
        p.label = r.getString();
        p.probability = r.get<float>();
    }
    return out;
}

// Checks the magic first and that nothing is left over at the end.
template <typename T>
T readWith(const std::string& bytes, std::uint32_t magic, const char* what,
    const std::function<T(BinaryReader&)>& body)
{
    BinaryReader r(bytes, what);
    if (r.get<std::uint32_t>() != magic)
        r.corrupt();
    T value = body(r);
    if (!r.atEnd())
        r.corrupt();
    return value;
}

}  // namespace

Dream cachedDream(Model& model, Workspace* workspace, const RgbImage& photo,
    const DreamConfig& config, Progress& progress, const DreamPreview& preview, bool* fromCache)
{
    return readOrMake<Dream>(
        workspace, "dream", imageKey(photo) + "|" + config.cacheKey(), fromCache,
        [](const std::string& bytes) {
            return readWith<Dream>(bytes, kDreamMagic, "stored dream", [](BinaryReader& r) {
                Dream d;
                d.photo = decodePng(r.getString());
                d.dream = decodePng(r.getString());
                d.objectiveHistory = r.getVector<float>();
                d.octaveSizes = r.getVector<int>();
                d.initialObjective = r.get<float>();
                d.finalObjective = r.get<float>();
                return d;
            });
        },
        [&] { return dreamImage(model, photo, config, progress, preview); },
        [](const Dream& d) {
            BinaryWriter w;
            w.put(kDreamMagic);
            w.putString(encodePng(d.photo));
            w.putString(encodePng(d.dream));
            w.putVector(d.objectiveHistory);
            w.putVector(d.octaveSizes);
            w.put(d.initialObjective);
            w.put(d.finalObjective);
            return w.out;
        });
}

StyleTransfer cachedStyleTransfer(Model& model, Workspace* workspace, const RgbImage& content,
    const RgbImage& style, const StyleConfig& config, Progress& progress,
    const StylePreview& preview, bool* fromCache)
{
    return readOrMake<StyleTransfer>(
        workspace, "style", imageKey(content) + "|" + imageKey(style) + "|" + config.cacheKey(),
        fromCache,
        [](const std::string& bytes) {
            return readWith<StyleTransfer>(
                bytes, kStyleMagic, "stored style transfer", [](BinaryReader& r) {
                    StyleTransfer s;
                    s.content = decodePng(r.getString());
                    s.style = decodePng(r.getString());
                    s.result = decodePng(r.getString());
                    s.contentLayer = r.getString();
                    s.styleLayers = r.getStrings();
                    s.contentLoss = r.getVector<float>();
                    s.styleLoss = r.getVector<float>();
                    return s;
                });
        },
        [&] { return transferStyle(model, content, style, config, progress, preview); },
        [](const StyleTransfer& s) {
            BinaryWriter w;
            w.put(kStyleMagic);
            w.putString(encodePng(s.content));
            w.putString(encodePng(s.style));
            w.putString(encodePng(s.result));
            w.putString(s.contentLayer);
            w.putStrings(s.styleLayers);
            w.putVector(s.contentLoss);
            w.putVector(s.styleLoss);
            return w.out;
        });
}

Attack cachedAttack(Model& model, Workspace* workspace, const RgbImage& photo,
    const AttackConfig& config, Progress& progress, bool* fromCache)
{
    return readOrMake<Attack>(
        workspace, "attack", imageKey(photo) + "|" + config.cacheKey(), fromCache,
        [](const std::string& bytes) {
            return readWith<Attack>(bytes, kAttackMagic, "stored attack", [](BinaryReader& r) {
                Attack a;
                a.original = decodePng(r.getString());
                a.adversarial = decodePng(r.getString());
                a.perturbation = decodePng(r.getString());
                a.linfPixels = r.get<float>();
                a.before = getPredictions(r);
                a.after = getPredictions(r);
                a.sourceClass = r.get<std::int32_t>();
                a.targetClass = r.get<std::int32_t>();
                a.succeeded = r.get<std::uint8_t>() != 0;
                a.lossHistory = r.getVector<float>();
                return a;
            });
        },
        [&] { return attackImage(model, photo, config, progress); },
        [](const Attack& a) {
            BinaryWriter w;
            w.put(kAttackMagic);
            w.putString(encodePng(a.original));
            w.putString(encodePng(a.adversarial));
            w.putString(encodePng(a.perturbation));
            w.put(a.linfPixels);
            putPredictions(w, a.before);
            putPredictions(w, a.after);
            w.put(std::int32_t(a.sourceClass));
            w.put(std::int32_t(a.targetClass));
            w.put(std::uint8_t(a.succeeded));
            w.putVector(a.lossHistory);
            return w.out;
        });
}

}  // namespace loupe
