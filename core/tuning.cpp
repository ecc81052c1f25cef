#include "core/tuning.h"

#include "core/cv_convert.h"
#include "core/dataset_scan.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/input_geometry.h"
#include "core/json.h"
#include "core/model.h"
#include "core/workspace.h"
#include "core/workspace_cache.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

namespace loupe {
namespace {

constexpr const char* kKind = "tuning";

// Where on the layer the target sits, resolved against its shape.
TuningTarget resolved(const Model& model, TuningTarget target)
{
    const LayerInfo& layer = model.layer(target.layer);
    if (!layer.isSpatial())
        throw Error("tuning needs a spatial layer; '" + layer.path + "' has no feature map");
    target.layer = layer.path;
    const int height = int(layer.shape[1]), width = int(layer.shape[2]);
    target.x = target.x >= 0 ? std::min(target.x, width - 1) : width / 2;
    target.y = target.y >= 0 ? std::min(target.y, height - 1) : height / 2;
    return target;
}

// A field as big as the input would put the stimulus's ends outside the image; a tiny one
// would draw nothing.
double stimulusScale(const ReceptiveField& field, int inputSize)
{
    return std::clamp(double(field.size), 6.0, double(inputSize));
}

Json rgbJson(const Rgb& c)
{
    return Json(Json::Array{int(c[0]), int(c[1]), int(c[2])});
}
Rgb rgbFrom(const Json& j)
{
    const Json::Array& a = j.toArray();
    if (a.size() != 3)
        throw Error("corrupt colour in a cached sweep");
    return {static_cast<unsigned char>(a[0].toNumber()),
        static_cast<unsigned char>(a[1].toNumber()), static_cast<unsigned char>(a[2].toNumber())};
}

Json stimulusJson(const Stimulus& s)
{
    Json j = Json::object();
    j["kind"] = stimulusKindName(s.kind);
    for (const auto& name : stimulusParameterNames())
        if (name != "radius")  // curvature says it
            j[name] = stimulusParameter(s, name);
    j["line"] = rgbJson(s.line);
    j["background"] = rgbJson(s.background);
    j["fill_sides"] = s.fillSides;
    j["inside"] = rgbJson(s.inside);
    j["outside"] = rgbJson(s.outside);
    return j;
}

Stimulus stimulusFrom(const Json& j)
{
    Stimulus s;
    s.kind = stimulusKindFromName(j["kind"].toString());
    for (const auto& name : stimulusParameterNames())
        if (name != "radius")
            setStimulusParameter(s, name, j[name].toNumber(stimulusParameter(s, name)));
    s.line = rgbFrom(j["line"]);
    s.background = rgbFrom(j["background"]);
    s.fillSides = j["fill_sides"].toBool();
    s.inside = rgbFrom(j["inside"]);
    s.outside = rgbFrom(j["outside"]);
    return s;
}

Json configJson(const SweepConfig& c)
{
    Json j = Json::object();
    j["stimulus"] = stimulusJson(c.base);
    Json axes = Json::array();
    for (const auto& axis : c.axes) {
        Json a = Json::object();
        a["parameter"] = axis.parameter;
        Json values = Json::array();
        for (double v : axis.values)
            values.push(v);
        a["values"] = values;
        axes.push(a);
    }
    j["axes"] = axes;
    j["layer"] = c.target.layer;
    Json channels = Json::array();
    for (int ch : c.target.channels)
        channels.push(ch);
    j["channels"] = channels;
    j["x"] = c.target.x;
    j["y"] = c.target.y;
    j["pre_relu"] = c.target.preRelu;
    return j;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b)
{
    const size_t n = a.size();
    if (n < 2)
        return 0;
    const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n,
                 mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

std::vector<double> channelColumn(const SweepResult& r, int channelIndex)
{
    std::vector<double> v;
    for (int i = 0; i < r.stimuli(); ++i)
        v.push_back(r.response(i, channelIndex));
    return v;
}

}  // namespace

// --- SweepResult ---------------------------------------------------------------------------

int SweepResult::stimuli() const
{
    int n = 1;
    for (const auto& axis : config.axes)
        n *= int(axis.values.size());
    return config.axes.empty() ? 0 : n;
}

float SweepResult::response(int stimulus, int channelIndex) const
{
    return responses.at(size_t(stimulus) * size_t(channels()) + size_t(channelIndex));
}

std::vector<double> SweepResult::parametersOf(int stimulus) const
{
    std::vector<double> values(config.axes.size());
    for (int a = int(config.axes.size()) - 1; a >= 0; --a) {
        const int n = int(config.axes[size_t(a)].values.size());
        values[size_t(a)] = config.axes[size_t(a)].values[size_t(stimulus % n)];
        stimulus /= n;
    }
    return values;
}

Stimulus SweepResult::stimulusAt(int stimulus) const
{
    Stimulus s = config.base;
    const auto values = parametersOf(stimulus);
    for (size_t a = 0; a < values.size(); ++a)
        setStimulusParameter(s, config.axes[a].parameter, values[a]);
    return s;
}

RgbImage SweepResult::inputImage(int stimulus) const
{
    return renderStimulus(stimulusAt(stimulus), inputSize, field.centreX(config.target.x),
        field.centreY(config.target.y), stimulusScale(field, inputSize));
}

RgbImage SweepResult::render(int stimulus, int size) const
{
    // The receptive field and a margin around it: the whole input would show a deep layer's
    // stimulus as a speck.
    return renderStimulus(stimulusAt(stimulus), size, size / 2.0, size / 2.0, size / 1.25);
}

std::vector<int> SweepResult::strongest(int channelIndex, int k) const
{
    std::vector<int> order(static_cast<size_t>(stimuli()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
        [&](int a, int b) { return response(a, channelIndex) > response(b, channelIndex); });
    order.resize(std::min<size_t>(order.size(), size_t(std::max(0, k))));
    return order;
}

std::vector<int> SweepResult::thumbnailStimuli(int k) const
{
    if (config.axes.size() != 1)
        return strongest(0, k);
    const int n = stimuli();
    std::vector<int> out;
    for (int i = 0; i < std::min(k, n); ++i)
        out.push_back(
            k > 1 && n > 1 ? int(std::lround(double(i) * (n - 1) / (std::min(k, n) - 1))) : 0);
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// --- sweeps ----------------------------------------------------------------------------------

SweepResult runSweep(
    Model& model, const SweepConfig& config, const ReceptiveField& field, Progress& progress)
{
    if (config.axes.empty() || config.axes.size() > 2)
        throw Error("a sweep has one or two axes");
    SweepResult r;
    r.config = config;
    r.config.target = resolved(model, config.target);
    r.field = field;
    r.inputSize = model.metadata().input.size;
    r.responses = unitResponses(
        model, r.config.target, r.stimuli(), [&](int i) { return r.inputImage(i); },
        config.batchSize, progress);
    return r;
}

std::string sweepCacheKey(const SweepConfig& config)
{
    return configJson(config).dump();
}

std::string serializeSweep(const SweepResult& r)
{
    Json j = Json::object();
    j["config"] = configJson(r.config);
    j["field"] = Json(Json::Array{r.field.size, r.field.stride, r.field.offset});
    j["input_size"] = r.inputSize;
    Json values = Json::array();
    for (float v : r.responses)
        values.push(v);
    j["responses"] = values;
    return j.dump();
}

SweepResult deserializeSweep(const std::string& data)
{
    const Json j = Json::parse(data);
    const Json& c = j["config"];
    SweepResult r;
    r.config.base = stimulusFrom(c["stimulus"]);
    for (const auto& a : c["axes"].toArray()) {
        SweepAxis axis;
        axis.parameter = a["parameter"].toString();
        for (const auto& v : a["values"].toArray())
            axis.values.push_back(v.toNumber());
        r.config.axes.push_back(axis);
    }
    r.config.target.layer = c["layer"].toString();
    for (const auto& ch : c["channels"].toArray())
        r.config.target.channels.push_back(int(ch.toNumber()));
    r.config.target.x = int(c["x"].toNumber());
    r.config.target.y = int(c["y"].toNumber());
    r.config.target.preRelu = c["pre_relu"].toBool();
    const Json::Array& field = j["field"].toArray();
    if (field.size() != 3)
        throw Error("corrupt cached sweep");
    r.field.size = int(field[0].toNumber());
    r.field.stride = field[1].toNumber();
    r.field.offset = field[2].toNumber();
    r.inputSize = int(j["input_size"].toNumber());
    for (const auto& v : j["responses"].toArray())
        r.responses.push_back(float(v.toNumber()));
    if (r.responses.size() != size_t(r.stimuli()) * size_t(r.channels()))
        throw Error("corrupt cached sweep");
    return r;
}

SweepResult cachedSweep(
    Model& model, Workspace& workspace, const SweepConfig& config, Progress& progress)
{
    SweepConfig key = config;
    key.target = resolved(model, config.target);
    key.batchSize = 0;  // does not change the result
    const ReceptiveField field = cachedReceptiveField(model, workspace, key.target.layer);
    return readOrMake<SweepResult>(
        workspace, kKind, sweepCacheKey(key), nullptr, deserializeSweep,
        [&] {
            SweepResult r = runSweep(model, key, field, progress);
            r.config.batchSize = config.batchSize;
            return r;
        },
        serializeSweep);
}

RadialTuning radialTuning(const SweepResult& sweep)
{
    const auto& axes = sweep.config.axes;
    const auto found = std::find_if(
        axes.begin(), axes.end(), [](const SweepAxis& a) { return a.parameter == "orientation"; });
    if (found == axes.end())
        throw Error("radial tuning needs a sweep over orientation");
    const size_t axis = size_t(found - axes.begin());
    RadialTuning t;
    t.channels = sweep.config.target.channels;
    t.orientations = found->values;
    const size_t n = t.orientations.size();
    t.responses.assign(size_t(sweep.channels()), std::vector<float>(n, 0.f));
    std::vector<int> counts(n, 0);
    for (int i = 0; i < sweep.stimuli(); ++i) {
        const double value = sweep.parametersOf(i)[axis];
        const size_t o = size_t(std::find(t.orientations.begin(), t.orientations.end(), value) -
            t.orientations.begin());
        ++counts[o];
        for (int c = 0; c < sweep.channels(); ++c)
            t.responses[size_t(c)][o] += std::max(0.f, sweep.response(i, c));
    }
    for (auto& curve : t.responses) {
        for (size_t o = 0; o < n; ++o)
            curve[o] /= float(std::max(1, counts[o]));
        t.preferred.push_back(
            t.orientations[size_t(std::max_element(curve.begin(), curve.end()) - curve.begin())]);
    }
    return t;
}

std::vector<TunedUnit> rankByOrientationTuning(const SweepResult& sweep, int k)
{
    const RadialTuning radial = radialTuning(sweep);
    constexpr double kPi = 3.14159265358979323846;
    std::vector<TunedUnit> units;
    for (size_t c = 0; c < radial.channels.size(); ++c) {
        const auto& curve = radial.responses[c];
        double total = 0, x = 0, y = 0;
        for (size_t o = 0; o < curve.size(); ++o) {
            total += curve[o];
            x += curve[o] * std::cos(radial.orientations[o] * kPi / 180);
            y += curve[o] * std::sin(radial.orientations[o] * kPi / 180);
        }
        TunedUnit u;
        u.channel = radial.channels[c];
        u.preferred = radial.preferred[c];
        u.selectivity = total > 0 ? std::hypot(x, y) / total : 0;
        u.peak = *std::max_element(curve.begin(), curve.end());
        if (u.peak > 0)
            units.push_back(u);
    }
    std::stable_sort(units.begin(), units.end(), [](const TunedUnit& a, const TunedUnit& b) {
        return a.selectivity * a.peak > b.selectivity * b.peak;
    });
    units.resize(std::min(units.size(), size_t(std::max(0, k))));
    return units;
}

RadialTuning selectChannels(const RadialTuning& radial, const std::vector<int>& channels)
{
    RadialTuning out;
    out.orientations = radial.orientations;
    for (int channel : channels) {
        const auto it = std::find(radial.channels.begin(), radial.channels.end(), channel);
        if (it == radial.channels.end())
            throw Error("channel " + std::to_string(channel) + " is not in the radial tuning");
        const size_t i = size_t(it - radial.channels.begin());
        out.channels.push_back(channel);
        out.responses.push_back(radial.responses[i]);
        out.preferred.push_back(radial.preferred[i]);
    }
    return out;
}

std::vector<InvarianceVariant> invarianceCheck(Model& model, Workspace* workspace,
    const SweepConfig& config, const ReceptiveField& field, Progress& progress)
{
    struct Variation {
        const char* name;
        void (*apply)(Stimulus&);
    };
    static const Variation variations[] = {
        {"reference", [](Stimulus&) {}},
        {"white on black",
            [](Stimulus& s) {
                std::swap(s.line, s.background);
                s.inside = s.outside = s.background;
            }},
        {"red on green",
            [](Stimulus& s) {
                s.line = {200, 40, 40};
                s.background = s.outside = s.inside = {60, 170, 80};
            }},
        {"filled sides",
            [](Stimulus& s) {
                s.fillSides = true;
                s.inside = {110, 110, 110};
                s.outside = {235, 235, 235};
            }},
        {"thick line", [](Stimulus& s) { s.width *= 2; }},
        {"thin line", [](Stimulus& s) { s.width *= 0.5; }},
    };
    std::vector<InvarianceVariant> out;
    const int total = int(std::size(variations));
    for (int v = 0; v < total; ++v) {
        SweepConfig c = config;
        variations[v].apply(c.base);
        Progress part(
            [&](double f, const std::string& text) {
                progress.report((v + f) / total, std::string(variations[v].name) + ": " + text);
            },
            progress);
        InvarianceVariant variant;
        variant.name = variations[v].name;
        variant.sweep =
            workspace ? cachedSweep(model, *workspace, c, part) : runSweep(model, c, field, part);
        out.push_back(std::move(variant));
    }
    const auto reference = channelColumn(out.front().sweep, 0);
    const double referencePeak = *std::max_element(reference.begin(), reference.end());
    for (auto& variant : out) {
        const auto values = channelColumn(variant.sweep, 0);
        const double peak = *std::max_element(values.begin(), values.end());
        variant.peakRatio = referencePeak != 0 ? peak / referencePeak : 0;
        variant.correlation = pearson(reference, values);
    }
    return out;
}

// --- rotation of dataset examples ------------------------------------------------------------

RgbImage rotateImage(const RgbImage& image, double degrees, double cx, double cy)
{
    const cv::Mat source = rgbMatView(image);
    cv::Mat rotated;
    cv::warpAffine(source, rotated,
        cv::getRotationMatrix2D(cv::Point2f(float(cx), float(cy)), degrees, 1.0), source.size(),
        cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    RgbImage out(image.width, image.height);
    for (int y = 0; y < rotated.rows; ++y)
        std::copy(rotated.ptr<std::uint8_t>(y), rotated.ptr<std::uint8_t>(y) + 3 * rotated.cols,
            out.pixel(0, y));
    return out;
}

RotationTuning rotationTuning(
    Model& model, Workspace& workspace, const RotationConfig& config, Progress& progress)
{
    const TuningTarget target = resolved(model, config.target);
    if (target.channels.empty())
        throw Error("no unit to rotate examples for");
    if (config.stepDegrees <= 0 || config.stepDegrees > 90)
        throw Error("the rotation step must be in (0, 90] degrees");
    const ScanResults scan = loadScan(workspace, config.folder, {target.layer});
    const auto layer = scan.layers.find(target.layer);
    if (layer == scan.layers.end())
        throw Error("the scan of '" + scan.folder + "' did not index '" + target.layer +
            "': scan it first (Dataset > Scan Folder)");
    const int unit = target.channels.front();
    if (unit < 0 || unit >= int(layer->second.size()))
        throw Error(
            "channel " + std::to_string(unit) + " is out of range for '" + target.layer + "'");
    const ReceptiveField field = scan.receptiveFields.count(target.layer)
        ? scan.receptiveFields.at(target.layer)
        : cachedReceptiveField(model, workspace, target.layer);
    const int size = model.metadata().input.size;

    // The model-input views of the top examples, decoded once.
    RotationTuning out;
    out.channels = target.channels;
    struct Source {
        RgbImage view;
        int x, y;
    };
    std::vector<Source> sources;
    for (const auto& e : layer->second[size_t(unit)].top.sorted()) {
        if (int(sources.size()) >= config.examples)
            break;
        const std::string relative = scan.images.at(size_t(e.image));
        try {
            const auto original =
                decodeImageForModel((std::filesystem::path(scan.folder) / relative).string(), size);
            sources.push_back({resizeAndCenterCrop(original, size), e.x, e.y});
            out.examples.push_back(relative);
        } catch (const Error&) {
            // The file changed or vanished since the scan: use the others.
        }
    }
    if (sources.empty())
        throw Error("none of the unit's top examples could be read from '" + scan.folder + "'");
    for (double a = 0; a < 360 - 1e-9; a += config.stepDegrees)
        out.angles.push_back(a);
    const int angles = int(out.angles.size()), k = int(target.channels.size());

    const auto values = unitResponses(
        model, target, int(sources.size()) * angles,
        [&](int i) {
            const Source& s = sources[size_t(i / angles)];
            return rotateImage(
                s.view, out.angles[size_t(i % angles)], field.centreX(s.x), field.centreY(s.y));
        },
        config.batchSize, progress,
        [&](int i) {
            return std::pair<int, int>(
                sources[size_t(i / angles)].x, sources[size_t(i / angles)].y);
        });

    out.mean.assign(size_t(k), std::vector<float>(size_t(angles), 0.f));
    out.aligned = out.mean;
    const float perExample = 1.f / float(sources.size());
    for (size_t e = 0; e < sources.size(); ++e) {
        const auto at = [&](int angle, int channel) {
            return values[(e * size_t(angles) + size_t(angle)) * size_t(k) + size_t(channel)];
        };
        int peak = 0;
        for (int a = 1; a < angles; ++a)
            if (at(a, 0) > at(peak, 0))
                peak = a;
        for (int c = 0; c < k; ++c)
            for (int a = 0; a < angles; ++a) {
                out.mean[size_t(c)][size_t(a)] += at(a, c) * perExample;
                out.aligned[size_t(c)][size_t(a)] += at((a + peak) % angles, c) * perExample;
            }
    }
    return out;
}

}  // namespace loupe
