#include "app/cli/commands.h"
#include "core/builtin_model.h"
#include "core/sample_images.h"
#include "core/colormap.h"
#include "core/image_io.h"
#include "core/synthetic_shapes.h"
#include "core/json.h"
#include "core/workspace.h"

#include <iostream>

namespace loupe::cli {

int runTrainDemo(const Args& args)
{
    args.allowOnly(
        {"out", "seed", "steps", "batch", "size", "quiet", "preview", "samples", "per-class"});
    if (args.has("samples")) {
        // A folder of held-out samples (class/NNN.png), for scans and timelines.
        Progress none;
        const int written = writeShapeSampleFolder(args.value("samples"),
            args.intValue("per-class", 20, 1), args.intValue("size", 64, 16), none);
        std::cout << "{\"samples\": \"" << args.value("samples") << "\", \"written\": " << written
                  << "}" << std::endl;
        return 0;
    }
    if (args.has("preview")) {
        // A look at the dataset: one row per class, eight samples each.
        std::vector<RgbImage> tiles;
        for (int cls = 0; cls < kShapeClassCount; ++cls)
            for (int i = 0; i < 8; ++i)
                tiles.push_back(renderShapeSample(
                    ShapeClass(cls), std::uint64_t(i + 1), args.intValue("size", 64)));
        saveImage(tileGrid(tiles, 8, args.intValue("size", 64), 2), args.required("preview"));
        std::cout << "{\"preview\": \"" << args.value("preview") << "\"}" << std::endl;
        return 0;
    }
    TrainingConfig config;
    config.seed = std::uint64_t(args.intValue("seed", 1));
    config.steps = args.intValue("steps", config.steps);
    config.batchSize = args.positiveInt("batch", config.batchSize);
    config.imageSize = args.intValue("size", config.imageSize);
    const std::string out =
        args.value("out", builtinModelDirectory(Workspace::defaultDataDirectory()));
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    const TrainingReport report = trainBuiltinModel(config, out, progress);
    endProgressLine(quiet);
    Json json = Json::object();
    json["model"] = report.modelPath;
    json["test_accuracy"] = report.testAccuracy;
    json["final_loss"] = report.finalLoss;
    json["seconds"] = report.seconds;
    json["steps"] = report.steps;
    Json checkpoints = Json::array();
    for (const auto& c : report.checkpointPaths)
        checkpoints.push(c);
    json["checkpoints"] = checkpoints;
    std::cout << json.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
