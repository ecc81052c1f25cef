// loupe-cli bench tune: where the time of a stimulus sweep goes. Rendering the stimuli and the
// batched forward passes are timed alone on the same stimuli, then the sweep as it runs
// (rendering lazily, batch by batch); the ratio to the slower stage says whether the
// pipeline adds overhead.
#include "app/cli/cli_workspace.h"
#include "app/cli/bench_support.h"
#include "app/cli/commands.h"
#include "core/error.h"
#include "core/json.h"
#include "core/model.h"
#include "core/tuning.h"
#include "core/unit_id.h"

#include <chrono>
#include <iostream>

namespace loupe::cli {

int benchTune(const Args& args)
{
    args.allowOnly({"model", "device", "unit", "sweep", "batch"});
    const auto model = loadModel(args);
    const UnitId unit = UnitId::parse(args.required("unit"));
    if (!unit.hasChannel())
        throw Error("--unit needs a channel: layer:channel");
    SweepConfig config;
    config.axes = parseSweep(args.value("sweep", "orientation=0:360:10,curvature=0:4:0.5"));
    config.target = {unit.layer, {unit.channel}, unit.x, unit.y};
    config.batchSize = args.intValue("batch", 32);
    const ReceptiveField field = estimateReceptiveField(*model, unit.layer);
    Progress progress;

    // Warm-up (graph optimisation, allocator), then the sweep as the app runs it.
    SweepConfig warm = config;
    warm.axes = {{"orientation", {0, 90}}};
    runSweep(*model, warm, field, progress);
    auto start = std::chrono::steady_clock::now();
    const SweepResult sweep = runSweep(*model, config, field, progress);
    const double sweepSeconds = secondsSince(start);
    const int n = sweep.stimuli();

    start = std::chrono::steady_clock::now();
    std::vector<RgbImage> rendered;
    const int size = model->metadata().input.size;
    for (int i = 0; i < n; ++i)
        rendered.push_back(sweep.inputImage(i));
    const double renderSeconds = secondsSince(start);

    start = std::chrono::steady_clock::now();
    unitResponses(
        *model, sweep.config.target, n, [&](int i) { return rendered[size_t(i)]; },
        config.batchSize, progress);
    const double forwardSeconds = secondsSince(start);

    Json out = Json::object();
    out["device"] = model->device().name;
    out["unit"] = unit.toString();
    out["stimuli"] = n;
    out["input_size"] = size;
    out["batch"] = config.batchSize;
    out["render_stimuli_per_s"] = n / renderSeconds;
    out["forward_stimuli_per_s"] = n / forwardSeconds;
    out["sweep_stimuli_per_s"] = n / sweepSeconds;
    out["sweep_seconds"] = sweepSeconds;
    out["sweep_vs_slower_stage"] =
        (n / sweepSeconds) / std::min(n / renderSeconds, n / forwardSeconds);
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
