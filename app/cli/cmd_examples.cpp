#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/colormap.h"
#include "core/dataset_scan.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/unit_examples.h"
#include "core/unit_id.h"

#include <cmath>
#include <iostream>

namespace loupe::cli {

const ChannelStatistics& unitStatistics(const ScanResults& scan, const UnitId& unit);
Json examplesJson(const ScanResults& scan, const std::vector<Example>& examples);

int runExamples(const Args& args)
{
    args.allowOnly({"workspace", "model", "unit", "folder", "k", "bottom", "out", "whole", "tile"});
    const auto workspace = existingWorkspace(args);
    const UnitId unit = UnitId::parse(args.required("unit"));
    const ScanResults scan = loadScan(*workspace, args.value("folder"), {unit.layer});
    const ChannelStatistics& s = unitStatistics(scan, unit);
    auto examples = args.has("bottom") ? s.bottom.sorted() : s.top.sorted();
    examples.resize(std::min(examples.size(), size_t(args.positiveInt("k", 16))));

    Json out = Json::object();
    out["unit"] = unit.toString();
    out["examples"] = examplesJson(scan, examples);
    if (args.has("out")) {
        const int tile = args.intValue("tile", 96, 16, 1024);
        const UnitExamples shown = unitExamples(*workspace, scan.folder, unit.layer, unit.channel,
            int(examples.size()), args.has("whole"), tile, 0);
        std::vector<RgbImage> images;
        for (const auto& t : args.has("bottom") ? shown.bottom : shown.top)
            images.push_back(t.image);
        const int columns = int(std::ceil(std::sqrt(double(std::max<size_t>(1, images.size())))));
        saveImage(tileGrid(images, columns, tile, 2), args.required("out"));
        out["out"] = args.value("out");
        out["receptive_field"] = shown.receptiveField;
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
