// loupe-cli trace: B-spline strokes fitted to a family's curve map of a photo, exported as an
// image, SVG paths and JSON.
#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/atomic_file.h"
#include "core/attribution.h"
#include "core/curve_extraction.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"
#include "core/spline_trace.h"
#include "core/unit_family.h"

#include <filesystem>
#include <iostream>

namespace loupe::cli {

int runTrace(const Args& args)
{
    args.allowOnly({"model", "device", "no-cache", "workspace", "family", "image", "method",
        "strokes", "control-points", "width", "softness", "steps", "level", "penalty",
        "penalty-weight", "out", "svg", "json", "quiet"});
    const auto model = loadModel(args);
    const auto workspace = cacheWorkspaceForModel(args, *model);
    const UnitFamily family = familyFromText(workspace.get(), args.required("family"));
    const RgbImage image = loadImage(args.required("image"));
    CurveMapConfig mapConfig;
    mapConfig.layer = family.layer;
    mapConfig.channels = family.channels;
    mapConfig.method = curveMapMethodFromName(args.value("method", "guided"));
    TraceConfig trace;
    trace.strokes = args.intValue("strokes", 3, 1, 64);
    trace.controlPoints = args.intValue("control-points", 6, 2, 64);
    trace.width = args.doubleValue("width", trace.width);
    trace.softness = args.doubleValue("softness", trace.softness);
    trace.steps = args.intValue("steps", trace.steps, 1, 100000);
    trace.level = args.doubleValue("level", trace.level);
    trace.crossingPenalty = args.doubleValue("penalty-weight", trace.crossingPenalty);

    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    const CurveMap map = familyCurveMap(*model, image, mapConfig, progress);
    FloatMap field{map.width, map.height, map.strength};
    FloatMap penalty;
    if (args.has("penalty")) {
        const CurveMap avoid = targetMagnitudeMap(*model, image,
            strokePenaltyTarget(args.value("penalty"), workspace.get()), mapConfig.method,
            progress);
        penalty = FloatMap{avoid.width, avoid.height, avoid.strength};
    }
    const auto strokes =
        traceSplines(field, args.has("penalty") ? &penalty : nullptr, trace, progress);
    endProgressLine(quiet);

    Json out = strokesJson(strokes, map.width, map.height);
    out["family"] = family.toString();
    out["method"] = curveMapMethodName(mapConfig.method);
    if (args.has("penalty"))
        out["penalty"] = args.value("penalty");
    if (args.has("out")) {
        saveImage(drawStrokes(map.inputView, strokes), args.value("out"));
        out["out"] = args.value("out");
    }
    if (args.has("svg")) {
        // The photo beside the SVG, which draws the strokes over it.
        const std::filesystem::path svg(args.value("svg"));
        const std::string photo = svg.stem().string() + "-photo.png";
        saveImage(map.inputView, (svg.parent_path() / photo).string());
        writeFileAtomically(svg.string(), strokesSvg(strokes, map.width, map.height, photo));
        out["svg"] = svg.string();
    }
    if (args.has("json")) {
        writeFileAtomically(args.value("json"), out.dump(2) + "\n");
        out["json"] = args.value("json");
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
