// loupe-cli lime: LIME's superpixel weights for any attribution target, as JSON and an overlay.
#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/attribution_methods.h"
#include "core/class_names.h"
#include "core/classify.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/lime.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {

int runLime(const Args& args)
{
    args.allowOnly({"model", "device", "image", "target", "class", "samples", "superpixels", "fill",
        "batch", "seed", "top", "out", "quiet"});
    const auto model = loadModel(args);
    const RgbImage image = loadImage(args.required("image"));
    AttributionConfig config;
    config.method = AttributionMethod::Lime;
    if (args.has("target")) {
        config.target = AttributionTarget::parse(args.value("target"));
    } else {
        // A class by name or number, else the model's top class.
        Progress none;
        const int klass = args.has("class")
            ? resolveClass(*model, args.value("class"))
            : classifyImages(*model, {image}, 1, none).at(0).at(0).index;
        config.target = AttributionTarget::parse("class:" + std::to_string(klass));
    }
    config.limeSamples = args.intValue("samples", config.limeSamples, 2);
    config.superpixels = args.intValue("superpixels", config.superpixels, 2);
    config.fill = occlusionFillFromString(args.value("fill", "mean"));
    config.batch = args.positiveInt("batch", 64);
    config.seed = std::uint64_t(args.intValue("seed", 0, 0));
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    const LimeExplanation lime = explainWithLime(*model, image, config, progress);
    endProgressLine(quiet);

    Json out = Json::object();
    out["target"] = config.target.toString();
    if (config.target.kind == AttributionTarget::Kind::Logit ||
        config.target.kind == AttributionTarget::Kind::Probability)
        out["class"] = model->classLabel(config.target.index);
    out["target_value"] = lime.targetValue;
    out["samples"] = lime.samples;
    out["superpixels"] = lime.superpixels.count;
    out["fit_r2"] = lime.fitR2;
    out["intercept"] = lime.intercept;
    // Each listed superpixel with its weight, area and centre (model-input pixels).
    std::vector<double> area(size_t(lime.superpixels.count), 0), cx(area), cy(area);
    for (int y = 0; y < lime.superpixels.height; ++y)
        for (int x = 0; x < lime.superpixels.width; ++x) {
            const size_t l =
                size_t(lime.superpixels.labels[size_t(y * lime.superpixels.width + x)]);
            area[l] += 1;
            cx[l] += x;
            cy[l] += y;
        }
    const auto describe = [&](int s) {
        Json j = Json::object();
        j["superpixel"] = s;
        j["weight"] = lime.weights[size_t(s)];
        j["pixels"] = area[size_t(s)];
        j["centre"] = Json(Json::Array{cx[size_t(s)] / std::max(1.0, area[size_t(s)]),
            cy[size_t(s)] / std::max(1.0, area[size_t(s)])});
        return j;
    };
    const auto order = lime.ranked();
    const int top = args.intValue("top", 5, 0);
    Json positive = Json::array(), negative = Json::array();
    for (int i = 0; i < top && i < int(order.size()); ++i)
        if (lime.weights[size_t(order[size_t(i)])] > 0)
            positive.push(describe(order[size_t(i)]));
    for (int i = 0; i < top && i < int(order.size()); ++i)
        if (lime.weights[size_t(order[order.size() - 1 - size_t(i)])] < 0)
            negative.push(describe(order[order.size() - 1 - size_t(i)]));
    out["positive"] = positive;
    out["negative"] = negative;
    if (args.has("out")) {
        saveImage(attributionOverlay(lime.map()), args.value("out"));
        out["out"] = args.value("out");
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
