#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "app/cli/featurevis_options.h"
#include "core/activation_grid_vis.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {

int runActivationGrid(const Args& args)
{
    args.allowOnly(
        featureVisOptionNames({"model", "device", "image", "layer", "cells", "out", "quiet"}));
    const auto model = loadModel(args);
    FeatureVisConfig config = featureVisConfigFromArgs(args);
    if (!args.has("size"))
        config.size = 64;
    if (!args.has("steps"))
        config.steps = 128;
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    const auto grid = renderActivationGrid(*model, loadImage(args.required("image")),
        args.required("layer"), args.intValue("cells", 8), config, progress);
    endProgressLine(quiet);
    Json out = Json::object();
    out["layer"] = grid.layer;
    out["columns"] = grid.columns;
    out["rows"] = grid.rows;
    int blank = 0;
    for (const auto& c : grid.cells)
        blank += c.empty();
    out["blank_cells"] = blank;
    if (args.has("out")) {
        saveImage(grid.mosaic, args.required("out"));
        out["out"] = args.value("out");
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
