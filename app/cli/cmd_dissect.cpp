// loupe-cli dissect: network dissection of one or more layers over a folder (colour concepts,
// a user's labelled images, or Loupe's synthetic set), as JSON, CSV and the paper's figure.
#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/atomic_file.h"
#include "core/dissection.h"
#include "core/dissection_report.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace loupe::cli {
namespace {

Json layerJson(const DissectionResult& r, int top)
{
    Json j = Json::object();
    j["layer"] = r.layer;
    j["images"] = int(r.images.size());
    j["skipped"] = int(r.skipped.size());
    j["thresholds_from_scan"] = r.thresholdsFromScan;
    j["seconds"] = r.seconds;
    Json categories = Json::array();
    int detectors = 0;
    for (const auto& c : r.detectorsPerCategory()) {
        Json k = Json::object();
        k["category"] = c.category;
        k["unique_concepts"] = c.uniqueConcepts;
        k["detector_units"] = c.units;
        detectors += c.units;
        categories.push(k);
    }
    j["detectors"] = categories;
    j["detector_units"] = detectors;
    j["units"] = int(r.units.size());
    std::vector<const UnitDissection*> best;
    for (const auto& u : r.units)
        if (u.concept >= 0)
            best.push_back(&u);
    std::sort(best.begin(), best.end(), [](auto* a, auto* b) { return a->iou > b->iou; });
    Json list = Json::array();
    for (size_t i = 0; i < best.size() && int(i) < top; ++i) {
        Json u = Json::object();
        u["unit"] = best[i]->unit;
        u["concept"] = r.concepts[size_t(best[i]->concept)].name;
        u["category"] = r.concepts[size_t(best[i]->concept)].category;
        u["iou"] = best[i]->iou;
        if (best[i]->runnerUp >= 0) {
            u["runner_up"] = r.concepts[size_t(best[i]->runnerUp)].name;
            u["runner_up_iou"] = best[i]->runnerUpIoU;
        }
        list.push(u);
    }
    j["best_units"] = list;
    return j;
}

}  // namespace

int runDissect(const Args& args)
{
    args.allowOnly({"model", "device", "images", "layer", "layers", "labels", "concepts",
        "no-colours", "colours", "synthetic", "count", "size", "seed", "quantile", "iou", "mask",
        "max-images", "top", "out", "workspace", "no-cache", "quiet"});
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    DissectionConfig config;
    std::string images = args.value("images");
    if (args.has("synthetic")) {
        // Loupe's own labelled set, rendered once into the folder and read like a user's.
        const std::string folder = args.value("synthetic");
        if (!std::filesystem::exists(std::filesystem::path(folder) / "concepts.csv")) {
            writeSyntheticConceptSet(folder, args.positiveInt("count", 600),
                args.intValue("size", 224, 16, 4096), std::uint64_t(args.intValue("seed", 1, 0)),
                progress);
            endProgressLine(quiet);
            std::cerr << "wrote the synthetic concept set to " << folder << "\n";
        }
        if (!args.has("model"))
            return 0;
        images = folder + "/images";
        config.sources.labelFolder = folder + "/labels";
        config.sources.labelCsv = folder + "/concepts.csv";
        config.sources.colours = args.has("colours");
    } else {
        config.sources.labelFolder = args.value("labels");
        config.sources.labelCsv = args.value("concepts");
        config.sources.colours = !args.has("no-colours");
    }
    if (images.empty())
        throw Error("dissect needs --images DIR (or --synthetic DIR)");
    const auto model = loadModel(args);
    config.folder = images;
    config.quantile = args.doubleValue("quantile", config.quantile);
    config.detectorIoU = args.doubleValue("iou", config.detectorIoU);
    config.maskSize = args.intValue("mask", 0, 0, 1024);
    config.maxImages = args.intValue("max-images", 0, 0);
    std::vector<std::string> layers =
        splitList(args.has("layers") ? args.value("layers") : args.required("layer"));
    const auto workspace = cacheWorkspaceForModel(args, *model);

    std::vector<DissectionResult> results;
    Json out = Json::object();
    out["model"] = model->displayName();
    out["folder"] = images;
    out["quantile"] = config.quantile;
    out["detector_iou"] = config.detectorIoU;
    Json perLayer = Json::array();
    // One pass over the folder for every layer (one forward captures them all).
    std::vector<bool> cached;
    results = dissectLayers(*model, workspace.get(), config, layers, progress, &cached);
    for (size_t i = 0; i < results.size(); ++i) {
        Json j = layerJson(results[i], args.intValue("top", 10, 0));
        j["from_cache"] = bool(cached[i]);
        perLayer.push(j);
    }
    endProgressLine(quiet);
    out["layers"] = perLayer;
    if (!results.empty())
        out["concepts"] = int(results.front().concepts.size());
    if (args.has("out")) {
        const std::filesystem::path dir = args.value("out");
        std::error_code error;
        std::filesystem::create_directories(dir, error);
        for (const auto& r : results) {
            std::string name = r.layer;
            std::replace(name.begin(), name.end(), '/', '_');
            writeFileAtomically((dir / ("units-" + name + ".csv")).string(), dissectionUnitsCsv(r));
        }
        writeFileAtomically((dir / "detectors.csv").string(), detectorSummaryCsv(results));
        saveImage(detectorChart(results,
                      "Unique concept detectors (IoU > " + Json(config.detectorIoU).dump() +
                          "): " + model->displayName()),
            (dir / "detectors.png").string());
        out["out"] = dir.string();
    }
    std::cout << out.dump(2) << std::endl;
    warnAboutCache(workspace.get());
    return 0;
}

}  // namespace loupe::cli
