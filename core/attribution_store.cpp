#include "core/attribution_store.h"

#include "core/binary_io.h"
#include "core/content_hash.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/workspace_cache.h"

namespace loupe {
namespace {

constexpr const char* kKind = "attribution";
constexpr const char* kClassesKind = "occlusion-classes";
constexpr std::uint32_t kMagic = 0x4C415031;  // "LAP1": attribution map
constexpr std::uint32_t kClassesMagic = 0x4C4F4331;  // "LOC1": occlusion class map

void putImage(BinaryWriter& w, const RgbImage& image)
{
    w.putString(image.empty() ? std::string() : encodePng(image));
}
RgbImage getImage(BinaryReader& r)
{
    const std::string png = r.getString();
    return png.empty() ? RgbImage() : decodePng(png);
}

}  // namespace

std::string attributionCacheKey(const RgbImage& image, const AttributionConfig& config)
{
    Json key = Json::object();
    key["image"] = sha256OfBytes(std::to_string(image.width) + "x" + std::to_string(image.height) +
        ":" + std::string(image.pixels.begin(), image.pixels.end()));
    key["method"] = toString(config.method);
    key["target"] = config.target.toString();
    if (!config.target.direction.empty())  // a retrained dictionary is another concept
        key["direction"] =
            sha256OfBytes(std::string(reinterpret_cast<const char*>(config.target.direction.data()),
                config.target.direction.size() * sizeof(float)));
    key["layer"] = config.layer;
    key["samples"] = config.samples;
    key["noise"] = config.noise;
    key["steps"] = config.steps;
    key["baseline"] = int(config.baseline);
    key["batch"] = config.batch;  // SmoothGrad draws its noise per batch
    key["patch"] = config.patch;
    key["stride"] = config.stride;
    key["fill"] = int(config.fill);
    key["seed"] = static_cast<long long>(config.seed);
    if (config.method == AttributionMethod::Lime) {
        key["lime_samples"] = config.limeSamples;
        key["superpixels"] = config.superpixels;
    }
    return key.dump();
}

std::string serializeAttributionMap(const AttributionMap& map)
{
    BinaryWriter w;
    w.put(kMagic);
    w.put(std::int32_t(map.width));
    w.put(std::int32_t(map.height));
    w.putVector(map.values);
    w.put(std::uint8_t(map.isSigned));
    w.put(map.targetValue);
    w.put(map.baselineValue);
    w.put(map.explainedValue);
    w.put(std::int32_t(map.biasLayers));
    putImage(w, map.inputView);
    return std::move(w.out);
}

AttributionMap deserializeAttributionMap(const std::string& bytes)
{
    BinaryReader r(bytes, "the stored attribution map");
    if (r.get<std::uint32_t>() != kMagic)
        throw Error("the stored attribution map has an unknown format");
    AttributionMap map;
    map.width = r.get<std::int32_t>();
    map.height = r.get<std::int32_t>();
    map.values = r.getVector<float>();
    map.isSigned = r.get<std::uint8_t>() != 0;
    map.targetValue = r.get<float>();
    map.baselineValue = r.get<float>();
    map.explainedValue = r.get<float>();
    map.biasLayers = r.get<std::int32_t>();
    map.inputView = getImage(r);
    if (!r.atEnd() || map.width <= 0 || map.height <= 0 ||
        map.values.size() != size_t(map.width) * size_t(map.height))
        r.corrupt();
    return map;
}

std::string serializeOcclusionClassMap(const OcclusionClassMap& map)
{
    BinaryWriter w;
    w.put(kClassesMagic);
    for (int v : {map.columns, map.rows, map.patch, map.stride, map.inputSize, map.unoccludedClass})
        w.put(std::int32_t(v));
    w.putVector(map.classes);
    w.putVector(map.probabilities);
    putImage(w, map.inputView);
    return std::move(w.out);
}

OcclusionClassMap deserializeOcclusionClassMap(const std::string& bytes)
{
    BinaryReader r(bytes, "the stored occlusion map");
    if (r.get<std::uint32_t>() != kClassesMagic)
        throw Error("the stored occlusion map has an unknown format");
    OcclusionClassMap map;
    for (int* v :
        {&map.columns, &map.rows, &map.patch, &map.stride, &map.inputSize, &map.unoccludedClass})
        *v = r.get<std::int32_t>();
    map.classes = r.getVector<int>();
    map.probabilities = r.getVector<float>();
    map.inputView = getImage(r);
    const size_t cells = size_t(std::max(0, map.columns)) * size_t(std::max(0, map.rows));
    if (!r.atEnd() || cells == 0 || map.classes.size() != cells ||
        map.probabilities.size() != cells)
        r.corrupt();
    return map;
}

AttributionMap cachedAttribution(Model& model, Workspace* workspace, const RgbImage& image,
    const AttributionConfig& config, Progress& progress,
    const std::function<void(const AttributionMap&)>& partial, bool* fromCache)
{
    const auto make = [&] { return attribute(model, image, config, progress, partial); };
    return readOrMake<AttributionMap>(workspace, kKind, attributionCacheKey(image, config),
        fromCache, deserializeAttributionMap, make, serializeAttributionMap);
}

OcclusionClassMap cachedOcclusionTopClasses(Model& model, Workspace* workspace,
    const RgbImage& image, const AttributionConfig& config, Progress& progress,
    const std::function<void(const OcclusionClassMap&)>& partial, bool* fromCache)
{
    const auto make = [&] { return occlusionTopClasses(model, image, config, progress, partial); };
    return readOrMake<OcclusionClassMap>(workspace, kClassesKind,
        attributionCacheKey(image, config), fromCache, deserializeOcclusionClassMap, make,
        serializeOcclusionClassMap);
}

}  // namespace loupe
