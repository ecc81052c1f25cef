#include "app/cli/cli_workspace.h"
#include "core/concept_dictionary_store.h"
#include "app/cli/commands.h"
#include "app/cli/trust_json.h"
#include "core/attribution_evidence_store.h"
#include "core/attribution_store.h"
#include "core/attribution.h"
#include "core/atomic_file.h"
#include "core/attribution_methods.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/input_geometry.h"
#include "core/json.h"
#include "core/map_measures.h"
#include "core/model.h"

#include <cmath>
#include <fstream>
#include <iostream>

namespace loupe::cli {
namespace {

// NumPy .npy (version 1.0), float32, shape (height, width); written atomically, so a full
// disk leaves no truncated array behind.
void writeNpy(const AttributionMap& map, const std::string& path)
{
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
        std::to_string(map.height) + ", " + std::to_string(map.width) + "), }";
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    std::string bytes("\x93NUMPY\x01\x00", 8);
    const std::uint16_t length = std::uint16_t(header.size());
    bytes.append(reinterpret_cast<const char*>(&length), 2);
    bytes += header;
    bytes.append(
        reinterpret_cast<const char*>(map.values.data()), map.values.size() * sizeof(float));
    writeFileAtomically(path, bytes);
}

}  // namespace

int runAttribute(const Args& args)
{
    args.allowOnly({"model", "device", "image", "method", "target", "layer", "out", "raw",
        "samples", "noise", "steps", "baseline", "batch", "patch", "stride", "fill", "seed",
        "lime-samples", "superpixels",
        "metrics", "metrics-steps", "metrics-fill", "heavy", "sanity", "box", "mask", "no-cache",
        "workspace"});
    const auto model = loadModel(args);
    AttributionConfig config;
    config.method = attributionMethodFromString(args.required("method"));
    config.target = AttributionTarget::parse(args.required("target"));
    config.layer = args.value("layer");
    config.samples = args.positiveInt("samples", config.samples);
    config.noise = float(args.doubleValue("noise", config.noise));
    config.steps = args.positiveInt("steps", config.steps);
    config.batch = args.positiveInt("batch", config.batch);
    config.patch = args.positiveInt("patch", config.patch);
    config.stride = args.positiveInt("stride", config.stride);
    config.seed = std::uint64_t(args.intValue("seed", 0));
    config.limeSamples = args.intValue("lime-samples", config.limeSamples, 2);
    config.superpixels = args.intValue("superpixels", config.superpixels, 2);
    config.baseline = baselineFromString(args.value("baseline", "black"));
    config.fill = occlusionFillFromString(args.value("fill", "grey"));
    Progress progress;
    const RgbImage image = loadImage(args.required("image"));
    // Maps and their evidence are cached in the model's workspace, as in the app.
    const auto workspace = cacheWorkspaceForModel(args, *model);
    // A concept target's direction comes from the workspace, even when nothing is cached.
    if (config.target.kind == AttributionTarget::Kind::Concept)
        resolveConceptTarget(
            config.target, workspace ? workspace.get() : workspaceForModel(args, *model).get());
    const AttributionMap map = cachedAttribution(*model, workspace.get(), image, config, progress);
    Json out = Json::object();
    out["method"] = toString(config.method);
    out["target"] = config.target.toString();
    out["target_value"] = map.targetValue;
    if (config.method == AttributionMethod::IntegratedGradients) {
        double sum = 0;
        for (float v : map.values)
            sum += v;
        out["baseline_value"] = map.baselineValue;
        out["attribution_sum"] = sum;  // completeness: close to target - baseline
    }
    if (config.method == AttributionMethod::FullGrad) {
        out["bias_layers"] = map.biasLayers;
        out["explained_value"] = map.explainedValue;  // input + bias terms; = target for ReLU nets
    }
    out["size"] = Json(Json::Array{map.width, map.height});
    if (args.has("out")) {
        saveImage(attributionOverlay(map), args.required("out"));
        out["out"] = args.value("out");
    }
    if (args.has("raw")) {
        writeNpy(map, args.required("raw"));
        out["raw"] = args.value("raw");
    }
    if (args.has("metrics")) {
        FaithfulnessConfig faithfulness;
        faithfulness.steps = args.positiveInt("metrics-steps", faithfulness.steps);
        faithfulness.fill = imputationFillFromString(args.value("metrics-fill", "blur"));
        out["metrics"] = metricsJson(cachedFaithfulness(
            *model, workspace.get(), image, config, map, faithfulness, progress));
    }
    if (args.has("box") || args.has("mask")) {
        // Pointing game and energy in the object: a box in model-input pixels, or a mask image
        // (non-zero = object) cropped like the photo.
        std::vector<std::uint8_t> object;
        if (args.has("box")) {
            const auto v = splitList(args.value("box"));
            std::vector<int> box;
            try {
                for (const auto& n : v)
                    box.push_back(std::stoi(n));
            } catch (const std::exception&) {
                box.clear();
            }
            if (box.size() != 4)
                throw Error("--box is x,y,width,height in model-input pixels");
            object =
                boxMask(map.width, map.height, box[0], box[1], box[0] + box[2], box[1] + box[3]);
        } else {
            const RgbImage mask = resizeAndCenterCrop(loadImage(args.value("mask")), map.width);
            for (size_t i = 0; i < mask.pixels.size(); i += 3)
                object.push_back(
                    mask.pixels[i] > 127 || mask.pixels[i + 1] > 127 || mask.pixels[i + 2] > 127);
        }
        const Localisation where = localise(map, object);
        Json j = Json::object();
        j["energy_inside"] = where.energyInside;
        j["pointing_hit"] = where.pointingHit;
        out["localisation"] = j;
    }
    if (args.has("heavy"))
        out["heavy_metrics"] = heavyMetricsJson(
            cachedHeavyMetrics(*model, workspace.get(), image, config, map, progress));
    if (args.has("sanity"))
        out["sanity"] = sanityJson(cachedSanityReport(
            *model, workspace.get(), image, config, map, SanityConfig(), progress));
    std::cout << out.dump(2) << std::endl;
    warnAboutCache(workspace.get());
    return 0;
}

}  // namespace loupe::cli
