#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "app/cli/featurevis_options.h"
#include "core/colormap.h"
#include "core/error.h"
#include "core/featurevis_cache.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"
#include "core/named_directions.h"
#include "core/unit_id.h"
#include "core/workspace.h"

#include <algorithm>
#include <cmath>
#include <iostream>

namespace loupe::cli {
namespace {

Json historyJson(const std::vector<float>& history)
{
    Json out = Json::array();
    for (float v : history)
        out.push(v);
    return out;
}

void writeImages(const std::vector<RgbImage>& images, const std::string& path)
{
    if (images.size() == 1) {
        saveImage(images.front(), path);
        return;
    }
    const int columns = int(std::ceil(std::sqrt(double(images.size()))));
    saveImage(tileGrid(images, columns, images.front().width, 2), path);
}

}  // namespace

int runFeatureVis(const Args& args)
{
    args.allowOnly(featureVisOptionNames({"model", "device", "unit", "objective", "layer", "all",
        "out", "workspace", "no-cache", "quiet", "history"}));
    const auto model = loadModel(args);
    FeatureVisConfig config = featureVisConfigFromArgs(args);
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    auto workspace = cacheWorkspaceForModel(args, *model);

    Json out = Json::object();
    out["model_hash"] = model->hash();
    out["device"] = model->device().name;
    if (args.has("all")) {
        out["parameters"] = config.cacheKey();
        const std::string layer = model->layer(args.required("layer")).path;
        const LayerRender render = renderLayerFeatureVis(
            *model, workspace.get(), config, layer, args.positiveInt("batch", 16), progress);
        endProgressLine(quiet);
        out["layer"] = layer;
        out["channels"] = int(render.images.size());
        out["from_cache"] = render.fromCache;
        out["rendered"] = render.rendered;
        if (args.has("out")) {
            writeImages(render.images, args.required("out"));
            out["out"] = args.value("out");
        }
        std::cout << out.dump(2) << std::endl;
        warnAboutCache(workspace.get());
        return 0;
    }

    if (args.has("unit"))
        config.objective = ObjectiveTerm::parse(args.required("unit"));
    else
        config.objective = ObjectiveTerm::parse(args.required("objective"));
    if (workspace)
        resolveDirections(config.objective, *workspace);
    else if (std::any_of(config.objective.begin(), config.objective.end(),
                 [](const ObjectiveTerm& t) { return t.kind == ObjectiveTerm::Kind::Direction; }))
        throw Error("direction objectives are read from the workspace; drop --no-cache");
    const FeatureVisResult result = renderFeatureVis(*model, config, progress);
    endProgressLine(quiet);
    if (workspace && config.batch == 1 && result.warning.empty() && result.images.size() == 1)
        storeFeatureVisResult(*workspace, config, result);
    out["parameters"] = config.cacheKey();
    out["objective"] = config.objective.front().toString();
    out["objective_start"] = result.initialObjective;
    out["objective_end"] = result.finalObjective;
    out["steps"] = result.stepsDone;
    if (!result.warning.empty())
        out["warning"] = result.warning;
    if (args.has("history"))
        out["history"] = historyJson(result.objectiveHistory);
    if (args.has("out")) {
        writeImages(result.images, args.required("out"));
        out["out"] = args.value("out");
    }
    std::cout << out.dump(2) << std::endl;
    warnAboutCache(workspace.get());
    return 0;
}

}  // namespace loupe::cli
