// loupe-cli bench <what>: speed measured against a baseline in the same run, printed as JSON.

#include "app/cli/commands.h"
#include "app/cli/featurevis_options.h"
#include "core/error.h"
#include "core/json.h"
#include "core/model.h"

#include <chrono>
#include <iostream>

namespace loupe::cli {
namespace {

double timeRender(Model& model, const FeatureVisConfig& config)
{
    Progress progress;
    FeatureVisConfig warm = config;
    warm.steps = 2;
    renderFeatureVis(model, warm, progress);  // warm-up: graph compilation, allocator
    const auto start = std::chrono::steady_clock::now();
    renderFeatureVis(model, config, progress);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int benchFeatureVis(const Args& args)
{
    args.allowOnly(featureVisOptionNames({"model", "device", "unit", "big-batch"}));
    const auto model = Model::load(args.required("model"), devicePreferenceFromString(args.value("device")));
    FeatureVisConfig config = featureVisConfigFromArgs(args);
    if (!args.has("size"))
        config.size = 224;
    if (!args.has("steps"))
        config.steps = 32;
    config.objective = ObjectiveTerm::parse(args.required("unit"));
    const int bigBatch = args.intValue("big-batch", 16);

    const double single = timeRender(*model, config);
    FeatureVisConfig full = config;
    full.runWholeNetwork = true;
    const double singleFull = timeRender(*model, full);
    FeatureVisConfig batched = config;
    batched.perImageLayer = config.objective.front().layer;
    for (int i = 0; i < bigBatch; ++i)
        batched.perImageChannels.push_back((config.objective.front().channel + i) % int(model->layer(batched.perImageLayer).channels()));
    const double batch = timeRender(*model, batched);

    Json out = Json::object();
    out["device"] = model->device().name;
    out["unit"] = args.value("unit");
    out["size"] = config.size;
    out["steps"] = config.steps;
    out["parameterization"] = config.parameterization == FeatureVisConfig::Parameterization::Fourier ? "fourier" : "pixel";
    out["batch1_steps_per_s"] = config.steps / single;
    out["batch1_whole_network_steps_per_s"] = config.steps / singleFull;
    out["truncation_speedup"] = singleFull / single;
    out["batch" + std::to_string(bigBatch) + "_steps_per_s"] = config.steps / batch;
    out["batch" + std::to_string(bigBatch) + "_images_steps_per_s"] = config.steps * bigBatch / batch;
    out["seconds_for_512_steps_batch1"] = single / config.steps * 512;
    std::cout << out.dump(2) << std::endl;
    return 0;
}

} // namespace

int runBench(const Args& args)
{
    const auto& what = args.positional();
    if (what.empty())
        throw Error("bench needs a target: featurevis");
    if (what.front() == "featurevis")
        return benchFeatureVis(args);
    throw Error("unknown benchmark '" + what.front() + "' (available: featurevis)");
}

} // namespace loupe::cli
