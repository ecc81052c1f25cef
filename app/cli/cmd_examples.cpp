#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/colormap.h"
#include "core/dataset_scan.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/unit_id.h"

#include <cmath>
#include <filesystem>
#include <iostream>

namespace loupe::cli {

const ChannelStatistics& unitStatistics(const ScanResults& scan, const UnitId& unit);
Json examplesJson(const ScanResults& scan, const std::vector<Example>& examples);

int runExamples(const Args& args)
{
    args.allowOnly({"workspace", "model", "unit", "folder", "k", "bottom", "out", "whole", "tile"});
    const auto workspace = existingWorkspace(args);
    const ScanResults scan = loadScan(*workspace, args.value("folder"));
    const UnitId unit = UnitId::parse(args.required("unit"));
    const ChannelStatistics& s = unitStatistics(scan, unit);
    auto examples = args.has("bottom") ? s.bottom.sorted() : s.top.sorted();
    examples.resize(std::min(examples.size(), size_t(std::max(1, args.intValue("k", 16)))));

    Json out = Json::object();
    out["unit"] = unit.toString();
    out["examples"] = examplesJson(scan, examples);
    if (args.has("out")) {
        const int tile = args.intValue("tile", 96);
        ReceptiveField field;
        field.size = scan.inputSize;
        field.stride = scan.inputSize;
        if (auto it = scan.receptiveFields.find(unit.layer); it != scan.receptiveFields.end())
            field = it->second;
        std::vector<RgbImage> tiles;
        for (const auto& e : examples) {
            const std::string path = (std::filesystem::path(scan.folder) / scan.images.at(size_t(e.image))).string();
            try {
                tiles.push_back(exampleImage(decodeImageForModel(path, scan.inputSize), scan.inputSize, field, e.x, e.y,
                                             args.has("whole"), tile));
            } catch (const Error&) {
                tiles.push_back(RgbImage(tile, tile));  // the file changed since the scan
            }
        }
        const int columns = int(std::ceil(std::sqrt(double(std::max<size_t>(1, tiles.size())))));
        saveImage(tileGrid(tiles, columns, tile, 2), args.required("out"));
        out["out"] = args.value("out");
        out["receptive_field"] = field.size;
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

} // namespace loupe::cli
