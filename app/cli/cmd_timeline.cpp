// loupe-cli timeline: one unit across a folder of checkpoints, as one figure and a CSV of its
// selectivity over training.
#include "app/cli/commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/training_timeline.h"
#include "core/unit_id.h"
#include "core/workspace.h"

#include <iostream>

namespace loupe::cli {

int runTimeline(const Args& args)
{
    args.allowOnly({"checkpoints", "unit", "images", "max-images", "top", "steps", "size", "sweep",
        "no-cache", "out", "csv", "quiet"});
    const UnitId unit = UnitId::parse(args.required("unit"));
    if (!unit.hasChannel())
        throw Error("--unit needs a channel: layer:channel");
    TimelineConfig config;
    config.layer = unit.layer;
    config.channel = unit.channel;
    config.examplesFolder = args.value("images");
    config.maxImages = args.intValue("max-images", config.maxImages, 1);
    config.topExamples = args.intValue("top", config.topExamples, 0, 4);
    config.featureVisSteps = args.intValue("steps", config.featureVisSteps, 1);
    config.featureVisSize = args.intValue("size", config.featureVisSize, 16, 1024);
    config.sweep = args.value("sweep", config.sweep);
    if (!args.has("no-cache"))
        config.dataDirectory = Workspace::defaultDataDirectory();
    const auto checkpoints = listCheckpoints(args.required("checkpoints"));
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    const auto frames = buildTimeline(checkpoints, config, progress);
    endProgressLine(quiet);

    Json out = Json::object();
    out["unit"] = unit.toString();
    Json list = Json::array();
    for (const auto& f : frames) {
        Json j = Json::object();
        j["checkpoint"] = f.checkpoint.path;
        j["step"] = double(f.checkpoint.step);
        j["selectivity"] = f.selectivity;
        j["preferred"] = f.preferred;
        j["peak"] = f.peak;
        j["from_cache"] = f.fromCache;
        Json examples = Json::array();
        for (size_t i = 0; i < f.exampleFiles.size(); ++i)
            examples.push(f.exampleFiles[i] + " (" + std::to_string(f.exampleValues[i]) + ")");
        j["top_examples"] = examples;
        list.push(j);
    }
    out["frames"] = list;
    if (args.has("out")) {
        saveImage(timelineFigure(frames, config), args.value("out"));
        out["out"] = args.value("out");
    }
    if (args.has("csv")) {
        writeFileAtomically(args.value("csv"), timelineCsv(frames));
        out["csv"] = args.value("csv");
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
