#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "app/cli/experiment_output.h"
#include "core/error.h"
#include "core/image_experiment_store.h"
#include "core/image_io.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {

int runStyle(const Args& args)
{
    args.allowOnly({"model", "device", "content", "style", "content-layer", "style-layers",
        "style-weights", "content-weight", "style-weight", "steps", "lr", "size", "from-noise",
        "seed", "out", "workspace", "no-cache", "quiet"});
    const auto model = loadModel(args);
    const RgbImage content = loadImage(args.required("content"));
    const RgbImage style = loadImage(args.required("style"));
    StyleConfig config;
    config.contentLayer = args.value("content-layer");
    config.styleLayers = splitList(args.value("style-layers"));
    for (const auto& w : splitList(args.value("style-weights"))) {
        try {
            config.styleLayerWeights.push_back(std::stof(w));
        } catch (const std::exception&) {
            throw Error("--style-weights: '" + w + "' is not a number");
        }
    }
    config.contentWeight = float(args.doubleValue("content-weight", config.contentWeight));
    config.styleWeight = float(args.doubleValue("style-weight", config.styleWeight));
    config.steps = args.positiveInt("steps", config.steps);
    config.learningRate = float(args.doubleValue("lr", config.learningRate));
    config.size = args.intValue("size", 0, 0, 2048);
    config.startFromContent = !args.has("from-noise");
    config.seed = std::uint64_t(args.intValue("seed", 0, 0));
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    auto workspace = cacheWorkspaceForModel(args, *model);
    bool fromCache = false;
    const StyleTransfer result = cachedStyleTransfer(
        *model, workspace.get(), content, style, config, progress, {}, &fromCache);
    endProgressLine(quiet);

    Json out = Json::object();
    out["content_layer"] = result.contentLayer;
    out["style_layers"] = Json::array();
    for (const auto& l : result.styleLayers)
        out["style_layers"].push(l);
    out["steps"] = config.steps;
    out["content_weight"] = config.contentWeight;
    out["style_weight"] = config.styleWeight;
    out["content_loss"] = floatsJson(result.contentLoss);
    out["style_loss"] = floatsJson(result.styleLoss);
    out["from_cache"] = fromCache;
    if (args.has("out")) {
        saveStrip({result.content, result.style, result.result}, args.required("out"));
        out["out"] = args.value("out");
    }
    std::cout << out.dump(2) << std::endl;
    warnAboutCache(workspace.get());
    return 0;
}

}  // namespace loupe::cli
