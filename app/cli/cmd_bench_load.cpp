// loupe-cli bench load: opening a model against a bare torch::jit::load of the same file,
// first open (nothing known), reopen (hash memo and layer facts from the workspace) and without
// any cache; wall and process CPU seconds, medians of interleaved repeats. A first open also
// runs the model once to prove it is an image CNN and learn every layer's shape, on the meta
// device (no arithmetic) unless the model needs its data; a bare load followed by one real
// forward is printed beside it, to show what that pass saves.
#include "app/cli/bench_support.h"
#include "app/cli/commands.h"
#include "core/bare_passes.h"
#include "core/json.h"
#include "core/model.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace loupe::cli {
namespace {

struct Timing {
    double wall = 0;
    double cpu = 0;
};

template <typename F> Timing measure(F&& f)
{
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu = std::clock();
    f();
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
        double(std::clock() - cpu) / CLOCKS_PER_SEC};
}

Timing median(const std::vector<Timing>& values)
{
    std::vector<double> wall, cpu;
    for (const auto& v : values) {
        wall.push_back(v.wall);
        cpu.push_back(v.cpu);
    }
    return {loupe::cli::median(wall), loupe::cli::median(cpu)};
}

Json timingJson(const Timing& t, const Timing& floor)
{
    Json j = Json::object();
    j["wall_s"] = t.wall;
    j["cpu_s"] = t.cpu;
    j["wall_vs_bare"] = t.wall / floor.wall;
    j["cpu_vs_bare"] = t.cpu / std::max(1e-9, floor.cpu);
    return j;
}

}  // namespace

int benchLoad(const Args& args)
{
    args.allowOnly({"model", "device", "repeats", "busy"});
    const std::string path = args.required("model");
    const DevicePreference device = devicePreferenceFromString(args.value("device"));
    const int repeats = args.intValue("repeats", 5, 1, 100);
    const BusyLoad busy(args.intValue("busy", 0, 0, 256));
    const auto scratch =
        std::filesystem::temp_directory_path() / ("loupe-bench-load-" + std::to_string(::getpid()));
    // Warm-up: the file in the page cache, libraries loaded, the kernels' first-use costs paid.
    const auto warm = Model::load(path, device);
    bareLoadAndForwardSeconds(*warm);

    std::vector<Timing> bare, bareWithForward, first, reopen, uncached;
    ModelOpenTimings firstParts, reopenParts;
    for (int r = 0; r < repeats; ++r) {
        bare.push_back(measure([&] { bareLoadSeconds(path); }));
        bareWithForward.push_back(measure([&] { bareLoadAndForwardSeconds(*warm); }));
        const ModelOpenOptions fresh{(scratch / std::to_string(r)).string()};
        first.push_back(measure([&] { Model::load(path, device, fresh, &firstParts); }));
        reopen.push_back(measure([&] { Model::load(path, device, fresh, &reopenParts); }));
        uncached.push_back(measure([&] { Model::load(path, device); }));
    }
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);

    const Timing floor = median(bare);
    Json out = Json::object();
    out["model"] = std::filesystem::path(path).filename().string();
    out["repeats"] = repeats;
    out["busy_threads"] = args.intValue("busy", 0, 0, 256);
    Json b = Json::object();
    b["wall_s"] = floor.wall;
    b["cpu_s"] = floor.cpu;
    out["bare_jit_load"] = b;
    out["first_open"] = timingJson(median(first), floor);  // target: wall <= 1.5x
    out["first_open"]["hash_and_load_s"] = firstParts.hashAndLoadSeconds;
    out["first_open"]["facts_s"] = firstParts.factsSeconds;
    out["first_open"]["shapes_from_meta_pass"] = firstParts.shapesFromMetaPass;
    const Timing loadAndForward = median(bareWithForward);
    Json withForward = Json::object();
    withForward["wall_s"] = loadAndForward.wall;
    withForward["cpu_s"] = loadAndForward.cpu;
    withForward["first_open_wall_ratio"] = median(first).wall / loadAndForward.wall;
    out["bare_jit_load_and_forward"] = withForward;
    out["reopen"] = timingJson(median(reopen), floor);  // target: wall <= 1.1x
    out["reopen"]["hash_and_load_s"] = reopenParts.hashAndLoadSeconds;
    out["reopen"]["facts_s"] = reopenParts.factsSeconds;
    out["reopen"]["hash_memoised"] = reopenParts.hashMemoised;
    out["reopen"]["facts_from_workspace"] = reopenParts.factsFromWorkspace;
    out["without_cache"] = timingJson(median(uncached), floor);
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
