#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/colormap.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/inversion_store.h"
#include "core/json.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {

int runInvert(const Args& args)
{
    args.allowOnly(
        {"model", "device", "image", "layers", "steps", "tv", "lr", "seed", "out", "quiet"});
    const auto model = loadModel(args);
    const RgbImage photo = loadImage(args.required("image"));
    InversionConfig config;
    config.layers = splitList(args.required("layers"));
    config.steps = args.positiveInt("steps", config.steps);
    config.totalVariation = float(args.doubleValue("tv", config.totalVariation));
    config.learningRate = float(args.doubleValue("lr", config.learningRate));
    config.seed = std::uint64_t(args.intValue("seed", 0, 0));
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    auto workspace = cacheWorkspaceForModel(args, *model);
    bool fromCache = false;
    const Inversion inversion =
        cachedInversion(*model, workspace.get(), photo, config, progress, {}, &fromCache);
    endProgressLine(quiet);

    Json out = Json::object();
    Json layers = Json::array();
    std::vector<RgbImage> strip{inversion.target};
    for (const auto& l : inversion.layers) {
        Json j = Json::object();
        j["layer"] = l.layer;
        j["initial_error"] = l.initialError;
        j["final_error"] = l.finalError;
        layers.push(j);
        strip.push_back(l.reconstruction);
    }
    out["layers"] = layers;
    out["steps"] = config.steps;
    out["total_variation"] = config.totalVariation;
    out["from_cache"] = fromCache;
    if (args.has("out")) {
        // The photo as the model sees it, then one reconstruction per layer.
        saveImage(tileGrid(strip, int(strip.size()), inversion.target.width, 4, 255),
            args.required("out"));
        out["out"] = args.value("out");
    }
    std::cout << out.dump(2) << std::endl;
    warnAboutCache(workspace.get());
    return 0;
}

}  // namespace loupe::cli
