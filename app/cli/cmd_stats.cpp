#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/dataset_scan.h"
#include "core/error.h"
#include "core/json.h"
#include "core/unit_id.h"

#include <iostream>

namespace loupe::cli {

const ChannelStatistics& unitStatistics(const ScanResults& scan, const UnitId& unit)
{
    const auto it = scan.layers.find(unit.layer);
    if (it == scan.layers.end())
        throw Error(
            "layer '" + unit.layer + "' was not indexed by the scan of '" + scan.folder + "'");
    if (!unit.hasChannel() || unit.channel >= int(it->second.size()))
        throw Error("channel out of range: '" + unit.layer + "' has " +
            std::to_string(it->second.size()) + " channels");
    return it->second[size_t(unit.channel)];
}

Json examplesJson(const ScanResults& scan, const std::vector<Example>& examples)
{
    Json list = Json::array();
    for (const auto& e : examples) {
        Json j = Json::object();
        j["value"] = e.value;
        j["image"] = scan.images.at(size_t(e.image));
        j["x"] = int(e.x);
        j["y"] = int(e.y);
        list.push(j);
    }
    return list;
}

int runStats(const Args& args)
{
    args.allowOnly({"workspace", "model", "unit", "folder"});
    const auto workspace = existingWorkspace(args);
    const UnitId unit = UnitId::parse(args.required("unit"));
    const ScanResults scan = loadScan(*workspace, args.value("folder"), {unit.layer});
    const ChannelStatistics& s = unitStatistics(scan, unit);
    Json out = Json::object();
    out["unit"] = unit.toString();
    out["folder"] = scan.folder;
    out["positions"] = Json(static_cast<long long>(s.count));
    out["fraction_active"] = s.fractionActive();
    out["mean"] = s.mean();
    out["std"] = s.standardDeviation();
    Json histogram = Json::array();
    for (int b = 0; b < Histogram::kBins; ++b) {
        const auto n = s.histogram.counts()[size_t(b)];
        if (n)
            histogram.push(Json(Json::Array{
                Histogram::binLow(b), Histogram::binHigh(b), static_cast<long long>(n)}));
    }
    out["histogram"] = histogram;  // [low, high, count] of every non-empty bin
    out["top"] = examplesJson(scan, s.top.sorted());
    out["bottom"] = examplesJson(scan, s.bottom.sorted());
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
