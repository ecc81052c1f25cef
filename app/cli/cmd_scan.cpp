#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/dataset_scan.h"
#include "core/json.h"
#include "core/model.h"

#include <iostream>
#include <sstream>

namespace loupe::cli {

int runScan(const Args& args)
{
    args.allowOnly(
        {"model", "device", "images", "layers", "workspace", "k", "batch", "threads", "quiet"});
    const auto model = loadModel(args);
    auto workspace = workspaceForModel(args, *model);
    ScanConfig config;
    config.folder = args.required("images");
    config.layers = splitList(args.required("layers"));
    config.topK = args.positiveInt("k", config.topK);
    config.batchSize = args.positiveInt("batch", config.batchSize);
    config.decodeThreads = args.intValue("threads", 0);
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    const ScanSummary summary = scanFolder(*model, *workspace, config, progress);
    endProgressLine(quiet);
    Json out = Json::object();
    out["workspace"] = workspace->file();
    out["folder"] = config.folder;
    out["images_in_folder"] = summary.imagesInFolder;
    out["scanned_now"] = summary.scannedNow;
    out["already_scanned"] = summary.alreadyScanned;
    out["seconds"] = summary.seconds;
    out["images_per_second"] = summary.imagesPerSecond;
    Json skipped = Json::array();
    for (const auto& s : summary.skipped) {
        Json j = Json::object();
        j["path"] = s.path;
        j["reason"] = s.reason;
        skipped.push(j);
    }
    out["skipped"] = skipped;
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
