#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "app/cli/labelled_folder.h"
#include "core/degradations.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {

int runDegrade(const Args& args)
{
    args.allowOnly(
        {"model", "device", "images", "synsets", "kinds", "masks", "max-images", "quiet"});
    const auto model = loadModel(args);
    DegradationConfig config;
    if (args.has("kinds")) {
        config.kinds.clear();
        for (const auto& k : splitList(args.required("kinds")))
            config.kinds.push_back(degradationFromName(k));
    }
    config.masksFolder = args.value("masks");
    config.maxImages = args.intValue("max-images", 0, 0);
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    const DegradationTable table = measureDegradations(
        *model, args.required("images"), labelerFor(args, *model), config, progress);
    endProgressLine(quiet);

    Json out = Json::object();
    out["photos"] = table.photos;
    Json rows = Json::array();
    for (const auto& r : table.rows) {
        Json j = Json::object();
        j["degradation"] = degradationName(r.kind);
        j["images"] = r.images;
        j["top1"] = r.top1;
        j["top5"] = r.top5;
        j["skipped"] = r.skipped;
        j["top1_accuracy"] = r.top1Accuracy();
        j["top5_accuracy"] = r.top5Accuracy();
        rows.push(j);
    }
    out["rows"] = rows;
    Json left = Json::array();
    for (const auto& [file, why] : table.leftOut) {
        Json j = Json::object();
        j["file"] = file;
        j["reason"] = why;
        left.push(j);
    }
    out["left_out"] = left;
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
