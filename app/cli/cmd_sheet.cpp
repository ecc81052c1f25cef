// loupe-cli sheet: a family of units as one figure (feature visualization + strongest dataset
// examples per unit), with a JSON sidecar of what produced it.
#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"
#include "core/unit_family.h"
#include "core/unit_sheet.h"

#include <iostream>

namespace loupe::cli {

int runSheet(const Args& args)
{
    args.allowOnly({"model", "device", "workspace", "units", "k", "tile", "out", "quiet"});
    const auto model = loadModel(args);
    const auto workspace = workspaceForModel(args, *model);
    const UnitFamily family =
        familyFromText(workspace.get(), args.required("units"));  // "layer:c1,c2" or a saved family
    const int k = args.intValue("k", 8, 0);
    const int tile = std::clamp(args.intValue("tile", 96), 16, 512);
    Progress progress(stderrProgress(args.has("quiet")));
    const auto rows =
        unitSheet(*model, *workspace, family.layer, family.channels, k, tile, progress);
    endProgressLine(args.has("quiet"));

    const std::string sidecar = unitSheetSidecar(rows, args.value("model"), model->hash(), k, tile);
    Json out = Json::parse(sidecar);
    if (args.has("out")) {
        saveImage(unitSheetImage(rows, tile), args.value("out"));
        writeFileAtomically(args.value("out") + ".json", sidecar);  // the figure's sidecar
        out["out"] = args.value("out");
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
