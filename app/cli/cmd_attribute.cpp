#include "app/cli/commands.h"
#include "core/attribution.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"

#include <cmath>
#include <fstream>
#include <iostream>

namespace loupe::cli {
namespace {

// NumPy .npy (version 1.0), float32, shape (height, width).
void writeNpy(const AttributionMap& map, const std::string& path)
{
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(map.height) + ", " +
                         std::to_string(map.width) + "), }";
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    if (!out)
        throw Error("cannot write '" + path + "'");
    out.write("\x93NUMPY\x01\x00", 8);
    const std::uint16_t length = std::uint16_t(header.size());
    out.write(reinterpret_cast<const char*>(&length), 2);
    out << header;
    out.write(reinterpret_cast<const char*>(map.values.data()), std::streamsize(map.values.size() * sizeof(float)));
    if (!out)
        throw Error("cannot write '" + path + "'");
}

} // namespace

int runAttribute(const Args& args)
{
    args.allowOnly({"model", "device", "image", "method", "target", "layer", "out", "raw", "samples", "noise", "steps",
                    "baseline", "batch", "patch", "stride", "fill", "seed"});
    const auto model = Model::load(args.required("model"), devicePreferenceFromString(args.value("device")));
    AttributionConfig config;
    config.method = attributionMethodFromString(args.required("method"));
    config.target = AttributionTarget::parse(args.required("target"));
    config.layer = args.value("layer");
    config.samples = args.intValue("samples", config.samples);
    config.noise = float(args.doubleValue("noise", config.noise));
    config.steps = args.intValue("steps", config.steps);
    config.batch = args.intValue("batch", config.batch);
    config.patch = args.intValue("patch", config.patch);
    config.stride = args.intValue("stride", config.stride);
    config.seed = std::uint64_t(args.intValue("seed", 0));
    const std::string baseline = args.value("baseline", "black");
    config.baseline = baseline == "blur" ? AttributionConfig::Baseline::Blur
                      : baseline == "noise" ? AttributionConfig::Baseline::Noise
                                            : AttributionConfig::Baseline::Black;
    const std::string fill = args.value("fill", "grey");
    config.fill = fill == "black" ? AttributionConfig::Fill::Black
                  : fill == "mean" ? AttributionConfig::Fill::Mean
                  : fill == "blur" ? AttributionConfig::Fill::Blur
                                   : AttributionConfig::Fill::Grey;
    Progress progress;
    const AttributionMap map = attribute(*model, loadImage(args.required("image")), config, progress);
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
    std::cout << out.dump(2) << std::endl;
    return 0;
}

} // namespace loupe::cli
