#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"
#include "core/tuning.h"
#include "core/tuning_figures.h"
#include "core/unit_family.h"
#include "core/unit_id.h"

#include <algorithm>
#include <numeric>
#include <iostream>

namespace loupe::cli {
namespace {

Rgb parseColour(const std::string& text, const char* option)
{
    const auto parts = splitList(text);
    if (parts.size() != 3)
        throw Error(std::string("--") + option + " expects R,G,B (0-255), e.g. 0,0,0");
    Rgb colour{};
    for (size_t i = 0; i < 3; ++i) {
        const int v = std::atoi(parts[i].c_str());
        if (v < 0 || v > 255 || parts[i].find_first_not_of("0123456789") != std::string::npos)
            throw Error(std::string("--") + option + " expects R,G,B (0-255), e.g. 0,0,0");
        colour[i] = static_cast<unsigned char>(v);
    }
    return colour;
}

Stimulus stimulusFromArgs(const Args& args)
{
    Stimulus s;
    s.kind = stimulusKindFromName(args.value("stimulus", "curve"));
    for (const auto& assignment : splitList(args.value("set"))) {  // --set width=0.1,length=1
        const SweepAxis fixed = parseSweepAxis(assignment);
        if (fixed.values.size() != 1)
            throw Error("--set takes single values, e.g. width=0.1");
        setStimulusParameter(s, fixed.parameter, fixed.values[0]);
    }
    if (args.has("line"))
        s.line = parseColour(args.value("line"), "line");
    if (args.has("background"))
        s.background = s.outside = parseColour(args.value("background"), "background");
    s.fillSides = args.has("fill-sides");
    return s;
}

std::string defaultSweep(StimulusKind kind)
{
    switch (kind) {
    case StimulusKind::Angle: return "orientation=0:360:5,angle=30:180:10";
    case StimulusKind::Grating: return "orientation=0:360:5,wavelength=0.1:0.5:0.05";
    case StimulusKind::Line:
    case StimulusKind::Edge: return "orientation=0:360:5";
    default: return "orientation=0:360:5,curvature=0:4:0.25";
    }
}

// The unit first, then the family's other channels (of the same layer).
TuningTarget targetFromArgs(const Args& args, const Workspace* workspace)
{
    TuningTarget target;
    if (args.has("unit")) {
        const UnitId unit = UnitId::parse(args.value("unit"));
        if (!unit.hasChannel())
            throw Error("--unit needs a channel: layer:channel");
        target.layer = unit.layer;
        target.channels.push_back(unit.channel);
        target.x = unit.x;
        target.y = unit.y;
    }
    if (args.has("family")) {
        const UnitFamily family = familyFromText(workspace, args.value("family"));
        if (!target.layer.empty() && family.layer != target.layer)
            throw Error("the family's layer '" + family.layer + "' is not the unit's '" +
                target.layer + "'");
        target.layer = family.layer;
        for (int c : family.channels)
            if (std::find(target.channels.begin(), target.channels.end(), c) ==
                target.channels.end())
                target.channels.push_back(c);
    }
    if (target.channels.empty())
        throw Error(
            "give --unit layer:channel and/or --family layer:c1,c2,... (or a saved family's name)");
    target.preRelu = args.has("pre-relu");
    return target;
}

Json channelLabels(const TuningTarget& target)
{
    Json list = Json::array();
    for (int c : target.channels)
        list.push(target.layer + ":" + std::to_string(c));
    return list;
}

void writeOutputs(const Args& args, const RgbImage* figure, const std::string& csv)
{
    if (figure && args.has("out"))
        saveImage(*figure, args.value("out"));
    if (args.has("csv"))
        writeFileAtomically(args.value("csv"), csv);
}

int runRotation(const Args& args, Model& model, Workspace& workspace, Progress& progress)
{
    RotationConfig config;
    config.target = targetFromArgs(args, &workspace);
    config.folder = args.value("folder");
    config.examples = args.intValue("examples", 16);
    config.stepDegrees = args.doubleValue("step", 5);
    config.batchSize = args.positiveInt("batch", 32);
    const RotationTuning r = rotationTuning(model, workspace, config, progress);
    endProgressLine(args.has("quiet"));
    writeOutputs(args, nullptr, rotationCsv(r));
    Json out = Json::object();
    out["units"] = channelLabels(config.target);
    out["examples"] = int(r.examples.size());
    Json peaks = Json::array();
    for (size_t c = 0; c < r.channels.size(); ++c) {
        const auto& curve = r.aligned[c];
        const size_t best = size_t(std::max_element(curve.begin(), curve.end()) - curve.begin());
        Json p = Json::object();
        p["unit"] = config.target.layer + ":" + std::to_string(r.channels[c]);
        p["peak_rotation_aligned"] = r.angles[best];
        p["peak_response_aligned"] = curve[best];
        peaks.push(p);
    }
    out["peaks"] = peaks;  // where each family member peaks once the unit's examples are aligned
    std::cout << out.dump(2) << std::endl;
    return 0;
}

Json sweepSummary(const SweepResult& sweep)
{
    Json out = Json::object();
    out["units"] = channelLabels(sweep.config.target);
    out["position"] = Json(Json::Array{sweep.config.target.x, sweep.config.target.y});
    out["receptive_field"] = sweep.field.size;
    out["stimuli"] = sweep.stimuli();
    Json peaks = Json::array();
    for (int c = 0; c < sweep.channels(); ++c) {
        const int best = sweep.strongest(c, 1).front();
        Json p = Json::object();
        p["unit"] = sweep.config.target.layer + ":" +
            std::to_string(sweep.config.target.channels[size_t(c)]);
        p["response"] = sweep.response(best, c);
        const auto values = sweep.parametersOf(best);
        for (size_t a = 0; a < values.size(); ++a)
            p[sweep.config.axes[a].parameter] = values[a];
        peaks.push(p);
    }
    out["peaks"] = peaks;
    return out;
}

// Every channel of a layer through the sweep, ranked by orientation selectivity.
int runRanking(
    const Args& args, Model& model, Workspace& workspace, SweepConfig config, Progress& progress)
{
    const std::string layer =
        args.has("layer") ? args.value("layer") : UnitId::parse(args.required("unit")).layer;
    config.target.layer = model.layer(layer).path;
    config.target.channels.resize(size_t(model.layer(layer).channels()));
    std::iota(config.target.channels.begin(), config.target.channels.end(), 0);
    config.target.preRelu = args.has("pre-relu");
    const SweepResult sweep = cachedSweep(model, workspace, config, progress);
    endProgressLine(args.has("quiet"));
    const auto ranking = rankByOrientationTuning(sweep, args.intValue("rank", 10));
    Json out = Json::object();
    out["layer"] = config.target.layer;
    out["stimuli"] = sweep.stimuli();
    Json list = Json::array();
    std::string csv = "channel,preferred_orientation,selectivity,peak\n";
    for (const auto& u : ranking) {
        Json j = Json::object();
        j["unit"] = config.target.layer + ":" + std::to_string(u.channel);
        j["preferred_orientation"] = u.preferred;
        j["selectivity"] = u.selectivity;
        j["peak"] = u.peak;
        list.push(j);
        csv += std::to_string(u.channel) + "," + std::to_string(u.preferred) + "," +
            std::to_string(u.selectivity) + "," + std::to_string(u.peak) + "\n";
    }
    out["ranking"] = list;  // most orientation-selective first (selectivity x peak)
    std::vector<int> top;
    for (const auto& u : ranking)
        top.push_back(u.channel);
    const RgbImage plot = radialPlot(selectChannels(radialTuning(sweep), top));
    writeOutputs(args, &plot, csv);
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace

int runTune(const Args& args)
{
    args.allowOnly({"model", "device", "unit", "family", "stimulus", "sweep", "set", "line",
        "background", "fill-sides", "pre-relu", "batch", "workspace", "out", "csv", "quiet",
        "rotate", "radial", "invariance", "examples", "step", "folder", "rank", "layer"});
    const auto model = loadModel(args);
    auto workspace = workspaceForModel(args, *model);
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    if (args.has("rotate"))
        return runRotation(args, *model, *workspace, progress);

    SweepConfig config;
    config.base = stimulusFromArgs(args);
    config.batchSize = args.positiveInt("batch", 32);
    if (args.has("rank")) {  // a whole layer: the coarse sweep unless one is given
        config.axes = parseSweep(args.value("sweep",
            config.base.kind == StimulusKind::Curve ? kCoarseRankingSweep
                                                    : defaultSweep(config.base.kind)));
        return runRanking(args, *model, *workspace, config, progress);
    }
    config.axes = parseSweep(args.value("sweep", defaultSweep(config.base.kind)));
    config.target = targetFromArgs(args, workspace.get());

    if (args.has("invariance")) {
        const auto field =
            cachedReceptiveField(*model, *workspace, model->layer(config.target.layer).path);
        const auto variants = invarianceCheck(*model, workspace.get(), config, field, progress);
        endProgressLine(quiet);
        Json out = Json::object();
        out["unit"] = channelLabels(variants.front().sweep.config.target).toArray().front();
        Json list = Json::array();
        for (const auto& v : variants) {
            Json j = Json::object();
            j["variant"] = v.name;
            j["peak_ratio"] = v.peakRatio;  // peak response / the reference's peak
            j["correlation"] = v.correlation;  // of the whole sweep with the reference's
            list.push(j);
        }
        out["variants"] = list;
        std::cout << out.dump(2) << std::endl;
        return 0;
    }

    const SweepResult sweep = cachedSweep(*model, *workspace, config, progress);
    endProgressLine(quiet);
    Json out = sweepSummary(sweep);
    if (args.has("radial")) {
        const RadialTuning radial = radialTuning(sweep);
        Json preferred = Json::array();
        for (double p : radial.preferred)
            preferred.push(p);
        out["preferred_orientation"] = preferred;
        const RgbImage plot = radialPlot(radial);
        writeOutputs(args, &plot, radialCsv(radial));
    } else {
        const RgbImage heat = sweepHeatmap(sweep, 0, 8);
        writeOutputs(args, &heat, sweepCsv(sweep));
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
