#include "core/inversion_store.h"

#include "core/binary_io.h"
#include "core/content_hash.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/workspace_cache.h"

namespace loupe {
namespace {

constexpr const char* kKind = "inversion";
constexpr std::uint32_t kMagic = 0x4C494E31;  // "LIN1"

}  // namespace

std::string inversionCacheKey(const RgbImage& photo, const InversionConfig& config)
{
    Json key = Json::object();
    key["image"] = sha256OfBytes(std::to_string(photo.width) + "x" + std::to_string(photo.height) +
        ":" + std::string(photo.pixels.begin(), photo.pixels.end()));
    Json layers = Json::array();
    for (const auto& l : config.layers)
        layers.push(l);
    key["layers"] = layers;
    key["steps"] = config.steps;
    key["lr"] = config.learningRate;
    key["tv"] = config.totalVariation;
    key["param"] = int(config.parameterization);
    key["seed"] = static_cast<long long>(config.seed);
    return key.dump();
}

std::string serializeInversion(const Inversion& inversion)
{
    BinaryWriter w;
    w.put(kMagic);
    w.putString(encodePng(inversion.target));
    w.put(std::uint32_t(inversion.layers.size()));
    for (const auto& l : inversion.layers) {
        w.putString(l.layer);
        w.putString(encodePng(l.reconstruction));
        w.put(l.initialError);
        w.put(l.finalError);
        w.putVector(l.errorHistory);
    }
    return w.out;
}

Inversion deserializeInversion(const std::string& bytes)
{
    BinaryReader r(bytes, "stored inversion");
    if (r.get<std::uint32_t>() != kMagic)
        r.corrupt();
    Inversion out;
    out.target = decodePng(r.getString());
    const auto count = r.get<std::uint32_t>();
    for (std::uint32_t i = 0; i < count; ++i) {
        LayerInversion l;
        l.layer = r.getString();
        l.reconstruction = decodePng(r.getString());
        l.initialError = r.get<float>();
        l.finalError = r.get<float>();
        l.errorHistory = r.getVector<float>();
        out.layers.push_back(std::move(l));
    }
    if (!r.atEnd())
        r.corrupt();
    return out;
}

Inversion cachedInversion(Model& model, Workspace* workspace, const RgbImage& photo,
    const InversionConfig& config, Progress& progress, const InversionPreview& preview,
    bool* fromCache)
{
    const auto make = [&] { return invertImage(model, photo, config, progress, preview); };
    return readOrMake<Inversion>(workspace, kKind, inversionCacheKey(photo, config), fromCache,
        deserializeInversion, make, serializeInversion);
}

}  // namespace loupe
