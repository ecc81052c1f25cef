// loupe-cli curves: a family's curve map of a photo beside Canny's edges, or the measured
// comparison of both on synthetic scenes with known curve pixels (--benchmark).
#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "app/cli/experiment_output.h"
#include "core/atomic_file.h"
#include "core/colormap.h"
#include "core/curve_extraction.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"
#include "core/unit_family.h"

#include <iostream>

namespace loupe::cli {
namespace {

Json scoreJson(const DetectionScore& s)
{
    Json j = Json::object();
    j["threshold"] = s.threshold;
    j["precision"] = s.precision;
    j["recall"] = s.recall;
    j["f1"] = s.f1;
    return j;
}

Json familyJson(const UnitFamily& family)
{
    Json list = Json::array();
    for (int c : family.channels)
        list.push(c);
    Json j = Json::object();
    j["layer"] = family.layer;
    j["channels"] = list;
    return j;
}

int benchmark(const Args& args, Model& model, const UnitFamily& family, CurveMapMethod method)
{
    CurveBenchmarkConfig config;
    config.map.layer = family.layer;
    config.map.channels = family.channels;
    config.map.method = method;
    config.map.smoothing = args.doubleValue("smooth", config.map.smoothing);
    config.scenes = args.intValue("scenes", 16, 1, 10000);
    config.combedScenes = args.intValue("combed", 8, 0, 10000);
    config.tolerance = args.intValue("tolerance", 2, 0, 20);
    config.seed = std::uint64_t(args.intValue("seed", 1, 0));
    config.scene.fieldSize = args.doubleValue("field", 64);
    config.scene.lines = args.intValue("lines", 2, 0, 20);
    config.scene.curves = args.intValue("curves", 3, 1, 20);
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    const CurveBenchmark result = benchmarkCurveExtraction(model, config, progress);
    endProgressLine(quiet);
    Json out = Json::object();
    out["family"] = familyJson(family);
    out["method"] = curveMapMethodName(method);
    out["scenes"] = result.scenes;
    out["combed_scenes"] = config.combedScenes;
    out["tolerance_px"] = config.tolerance;
    out["family_map"] = scoreJson(result.family);
    out["canny_best"] = scoreJson(result.canny);
    out["canny_auto"] = scoreJson(result.cannyAuto);
    out["family_curve_to_line"] = result.familyCurveToLine;
    out["canny_curve_to_line"] = result.cannyCurveToLine;
    out["combing_ticks_to_arc"] = result.combingTicksToArc;
    out["combing_ticks_to_background"] = result.combingTicksToBackground;
    if (args.has("csv")) {
        std::string csv = "detector,threshold,f1\n";
        for (size_t i = 0; i < result.familyF1ByThreshold.size(); ++i)
            csv += "family," + std::to_string(0.02 * double(i + 1)) + "," +
                std::to_string(result.familyF1ByThreshold[i]) + "\n";
        for (size_t i = 0; i < result.cannyF1ByThreshold.size(); ++i)
            csv += "canny," + std::to_string(10.0 * double(i + 1)) + "," +
                std::to_string(result.cannyF1ByThreshold[i]) + "\n";
        writeFileAtomically(args.value("csv"), csv);
        out["csv"] = args.value("csv");
    }
    if (args.has("examples")) {
        // What the scenes look like: one scene, its truth, the family's map and Canny.
        CurveSceneConfig scene = config.scene;
        scene.size = model.metadata().input.size;
        const CurveScene s = renderCurveScene(scene, config.seed * 1000);
        RgbImage truth(scene.size, scene.size);
        for (size_t i = 0; i < s.curves.size(); ++i)
            for (int c = 0; c < 3; ++c)
                truth.pixels[i * 3 + size_t(c)] = s.curves[i] ? 0 : s.lines[i] ? 190 : 255;
        Progress none;
        const CurveMap map = familyCurveMap(model, s.image, config.map, none);
        saveStrip(
            {s.image, truth, map.picture, cannyEdges(s.image).picture}, args.value("examples"));
        out["examples"] = args.value("examples");
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace

int runCurves(const Args& args)
{
    args.allowOnly({"model", "device", "no-cache", "workspace", "family", "image", "method",
        "orientation-colour", "canny", "benchmark", "scenes", "combed", "tolerance", "seed",
        "field", "lines", "curves", "smooth", "csv", "examples", "out", "quiet"});
    const auto model = loadModel(args);
    const auto workspace = cacheWorkspaceForModel(args, *model);
    const UnitFamily family = familyFromText(workspace.get(), args.required("family"));
    const CurveMapMethod method = curveMapMethodFromName(args.value("method", "guided"));
    if (args.has("benchmark"))
        return benchmark(args, *model, family, method);

    CurveMapConfig config;
    config.layer = family.layer;
    config.channels = family.channels;
    config.method = method;
    config.colourByOrientation = args.has("orientation-colour");
    config.smoothing = args.doubleValue("smooth", config.smoothing);
    CannyConfig canny;
    if (args.has("canny")) {
        const auto [low, high] = parseNumberPair(args.value("canny"), "canny");
        canny.low = low;
        canny.high = high;
    }
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    Json out = Json::object();
    out["family"] = familyJson(family);
    out["method"] = curveMapMethodName(method);
    Json list = Json::array();
    // Several photos (--image a,b,c) make one figure, a row each: photo | curve map | Canny.
    std::vector<RgbImage> tiles;
    for (const auto& path : splitList(args.required("image"))) {
        const RgbImage image = loadImage(path);
        const CurveMap map = familyCurveMap(*model, image, config, progress);
        if (!map.preferred.empty())
            config.preferred = map.preferred;  // measured once for every photo
        const CannyEdges edges = cannyEdges(map.inputView, canny);
        Json one = Json::object();
        one["image"] = path;
        one["canny_low"] = edges.low;
        one["canny_high"] = edges.high;
        double strong = 0;
        for (float v : map.strength)
            strong += v >= 0.5f;
        one["map_pixels_over_half"] = strong / double(map.strength.size());
        double edgePixels = 0;
        for (auto e : edges.edges)
            edgePixels += e;
        one["canny_edge_pixels"] = edgePixels / double(edges.edges.size());
        list.push(one);
        tiles.insert(tiles.end(), {map.inputView, map.picture, edges.picture});
    }
    endProgressLine(quiet);
    out["images"] = list;
    if (!config.preferred.empty()) {
        Json preferred = Json::array();
        for (double p : config.preferred)
            preferred.push(p);
        out["preferred_orientations"] = preferred;
    }
    if (args.has("out")) {
        saveImage(tileGrid(tiles, 3, tiles.front().width, 4, 255), args.value("out"));
        out["out"] = args.value("out");
        out["columns"] = Json(Json::Array{"photo (model input view)",
            std::string("curve map (") + curveMapMethodLabel(method) + ")", "Canny edges"});
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
