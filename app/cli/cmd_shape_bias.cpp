#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "app/cli/labelled_folder.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/model.h"
#include "core/shape_bias.h"

#include <cmath>
#include <filesystem>
#include <iostream>

namespace loupe::cli {
namespace {

Json number(double value)
{
    return std::isnan(value) ? Json() : Json(value);
}

}  // namespace

int runShapeBias(const Args& args)
{
    args.allowOnly({"model", "device", "images", "synsets", "pairs", "steps", "content-layer",
        "style-layers", "style-weight", "seed", "out", "workspace", "no-cache", "quiet"});
    const auto model = loadModel(args);
    const int pairs = args.intValue("pairs", 10, 1, 10000);
    const auto photos =
        loadLabelledPhotos(args.required("images"), labelerFor(args, *model), *model, 2 * pairs);
    const auto chosen = cueConflictPairs(photos, pairs);
    if (chosen.empty())
        throw Error(
            "no pair of labelled photos of different classes in '" + args.required("images") + "'");
    StyleConfig style;
    style.steps = args.positiveInt("steps", 150);
    style.contentLayer = args.value("content-layer");
    style.styleLayers = splitList(args.value("style-layers"));
    style.styleWeight = float(args.doubleValue("style-weight", style.styleWeight));
    style.seed = std::uint64_t(args.intValue("seed", 0, 0));
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    auto workspace = cacheWorkspaceForModel(args, *model);
    const auto conflicts =
        makeCueConflicts(*model, workspace.get(), photos, chosen, style, progress);
    Progress measuring;
    const ShapeBias bias = measureShapeBias(*model, conflicts, measuring);
    endProgressLine(quiet);

    if (args.has("out")) {
        std::filesystem::create_directories(args.required("out"));
        for (const auto& c : conflicts)
            saveImage(c.image,
                (std::filesystem::path(args.required("out")) / (c.name + ".png")).string());
    }
    Json out = Json::object();
    out["pairs"] = int(bias.rows.size());
    out["shape_decisions"] = bias.shape;
    out["texture_decisions"] = bias.texture;
    out["other_decisions"] = bias.neither;
    out["shape_bias"] = number(bias.bias());
    out["forced_choice_shape_bias"] = number(bias.forcedChoiceBias());
    Json rows = Json::array();
    for (const auto& r : bias.rows) {
        Json j = Json::object();
        j["image"] = r.name;
        j["shape_class"] = model->classLabel(r.shapeClass);
        j["texture_class"] = model->classLabel(r.textureClass);
        j["top1"] = model->classLabel(r.predicted);
        j["top1_probability"] = r.predictedProbability;
        j["shape_probability"] = r.shapeProbability;
        j["texture_probability"] = r.textureProbability;
        j["decision"] = cueDecisionName(r.decision);
        rows.push(j);
    }
    out["rows"] = rows;
    std::cout << out.dump(2) << std::endl;
    warnAboutCache(workspace.get());
    return 0;
}

}  // namespace loupe::cli
