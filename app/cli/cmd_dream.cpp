#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "app/cli/experiment_output.h"
#include "core/image_experiment_store.h"
#include "core/image_io.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {

int runDream(const Args& args)
{
    args.allowOnly({"model", "device", "image", "objective", "size", "octaves", "octave-scale",
        "steps", "step-size", "jitter", "seed", "out", "workspace", "no-cache", "quiet"});
    const auto model = loadModel(args);
    const RgbImage photo = loadImage(args.required("image"));
    DreamConfig config;
    config.objective = args.required("objective");
    config.size = args.intValue("size", 0, 0, 2048);
    config.octaves = args.intValue("octaves", config.octaves, 1, 12);
    config.octaveScale = float(args.doubleValue("octave-scale", config.octaveScale));
    config.stepsPerOctave = args.positiveInt("steps", config.stepsPerOctave);
    config.stepSize = float(args.doubleValue("step-size", config.stepSize));
    config.jitterPixels = float(args.doubleValue("jitter", config.jitterPixels));
    config.seed = std::uint64_t(args.intValue("seed", 0, 0));
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    auto workspace = cacheWorkspaceForModel(args, *model);
    bool fromCache = false;
    const Dream dream =
        cachedDream(*model, workspace.get(), photo, config, progress, {}, &fromCache);
    endProgressLine(quiet);

    Json out = Json::object();
    out["objective"] = config.objective;
    out["octave_sizes"] = Json::array();
    for (int s : dream.octaveSizes)
        out["octave_sizes"].push(s);
    out["steps_per_octave"] = config.stepsPerOctave;
    out["initial_objective"] = dream.initialObjective;
    out["final_objective"] = dream.finalObjective;
    out["objective_history"] = floatsJson(dream.objectiveHistory);
    out["from_cache"] = fromCache;
    if (args.has("out")) {
        saveStrip({dream.photo, dream.dream}, args.required("out"));  // photo | dream
        out["out"] = args.value("out");
    }
    std::cout << out.dump(2) << std::endl;
    warnAboutCache(workspace.get());
    return 0;
}

}  // namespace loupe::cli
