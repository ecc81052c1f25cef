// bench dissect: network dissection of one layer against the dataset scan of that layer alone
// (the bar: within 1.5x, so that counting IoU never dominates); bench lime: LIME's
// samples against the same number of bare batched forwards.
#include "app/cli/bench_support.h"
#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/bare_passes.h"
#include "core/dataset_scan.h"
#include "core/dissection.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/lime.h"
#include "core/model.h"
#include "core/workspace.h"

#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace loupe::cli {

int benchDissect(const Args& args)
{
    args.allowOnly({"model", "device", "images", "layer", "labels", "concepts", "no-colours",
        "max-images", "two-pass"});
    const auto model = loadModel(args);
    const std::string folder = args.required("images");
    const std::string layer = model->layer(args.required("layer")).path;
    namespace fs = std::filesystem;
    const fs::path scratch =
        fs::temp_directory_path() / ("loupe-bench-dissect-" + std::to_string(getpid()) + ".sqlite");
    std::error_code ignored;
    fs::remove(scratch, ignored);
    Json out = Json::object();
    {
        auto workspace = Workspace::open(scratch.string(), model->hash());
        ScanConfig scan;
        scan.folder = folder;
        scan.layers = {layer};
        Progress quiet;
        auto start = std::chrono::steady_clock::now();
        const ScanSummary summary = scanFolder(*model, *workspace, scan, quiet);
        const double scanSeconds = secondsSince(start);

        DissectionConfig config;
        config.folder = folder;
        config.layer = layer;
        config.sources.colours = !args.has("no-colours");
        config.sources.labelFolder = args.value("labels");
        config.sources.labelCsv = args.value("concepts");
        config.maxImages = args.intValue("max-images", 0, 0);
        start = std::chrono::steady_clock::now();
        const DissectionResult result = dissectLayer(*model, workspace.get(), config, quiet);
        const double dissectSeconds = secondsSince(start);
        out["device"] = model->device().name;
        out["layer"] = layer;
        out["images"] = summary.scannedNow;
        out["concepts"] = int(result.concepts.size());
        out["mask_size"] = result.maskSize;
        out["scan_s"] = scanSeconds;
        out["dissect_s"] = dissectSeconds;  // levels from the scan: one pass
        out["thresholds_from_scan"] = result.thresholdsFromScan;
        out["dissect_vs_scan"] = dissectSeconds / scanSeconds;  // target <= 1.5
        if (args.has("two-pass")) {
            // Without a scan the levels need a first pass of their own.
            start = std::chrono::steady_clock::now();
            dissectLayer(*model, nullptr, config, quiet);
            out["two_pass_s"] = secondsSince(start);
        }
    }
    fs::remove(scratch, ignored);
    std::cout << out.dump(2) << std::endl;
    return 0;
}

int benchLime(const Args& args)
{
    args.allowOnly({"model", "device", "image", "samples", "superpixels", "batch"});
    const auto model = loadModel(args);
    const RgbImage image = loadImage(args.required("image"));
    AttributionConfig config;
    config.method = AttributionMethod::Lime;
    config.target = AttributionTarget::parse("class:0");
    config.limeSamples = args.intValue("samples", 1000, 2);
    config.superpixels = args.intValue("superpixels", 50, 2);
    config.batch = args.intValue("batch", 64, 32);
    Progress quiet;
    AttributionConfig warmUp = config;  // graph optimisation and allocator, once
    warmUp.limeSamples = config.batch;
    explainWithLime(*model, image, warmUp, quiet);
    auto start = std::chrono::steady_clock::now();
    const LimeExplanation lime = explainWithLime(*model, image, config, quiet);
    const double limeSeconds = secondsSince(start);
    const std::vector<RgbImage> copies(size_t(config.limeSamples), image);
    const double bare = bareForwardSeconds(*model, copies, config.batch);
    Json out = Json::object();
    out["device"] = model->device().name;
    out["samples"] = lime.samples;
    out["superpixels"] = lime.superpixels.count;
    out["batch"] = config.batch;
    out["lime_s"] = limeSeconds;
    out["bare_batched_forward_s"] = bare;
    out["lime_vs_bare"] = limeSeconds / bare;
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
