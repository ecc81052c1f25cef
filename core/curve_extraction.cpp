// Curve maps are attributions of a family (a Concept-kind target whose direction is 1 on the
// family's channels), so every attribution method's graph handling and ReLU rule is reused.

#include "core/curve_extraction.h"

#include "core/attribution.h"
#include "core/concept_dictionary_store.h"
#include "core/named_directions.h"
#include "core/cv_convert.h"
#include "core/error.h"
#include "core/model.h"
#include "core/tuning.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace loupe {
namespace {

float percentile(std::vector<float> values, double q)
{
    if (values.empty())
        return 0;
    const size_t k = std::min(values.size() - 1, size_t(q * double(values.size() - 1)));
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
    return values[k];
}

// |values| / their 99.5th percentile, clipped to [0, 1].
std::vector<float> normalisedStrength(const std::vector<float>& values, float scale = -1)
{
    std::vector<float> out(values.size());
    for (size_t i = 0; i < values.size(); ++i)
        out[i] = std::abs(values[i]);
    if (scale < 0)
        scale = percentile(out, 0.995);
    if (scale <= 0)
        scale = 1;
    for (float& v : out)
        v = std::min(1.f, v / scale);
    return out;
}

RgbImage inkPicture(const std::vector<float>& strength, int width, int height)
{
    RgbImage picture(width, height);
    for (size_t i = 0; i < strength.size(); ++i) {
        const auto v = std::uint8_t(std::lround(255.0 * (1.0 - strength[i])));
        picture.pixels[i * 3] = picture.pixels[i * 3 + 1] = picture.pixels[i * 3 + 2] = v;
    }
    return picture;
}

std::array<double, 3> hueColour(double degrees)
{
    const double h = std::fmod(std::fmod(degrees, 360.0) + 360.0, 360.0) / 60.0;
    const double x = 1.0 - std::abs(std::fmod(h, 2.0) - 1.0);
    const int sector = int(h) % 6;
    // Which channel takes the largest, middle and smallest part in each 60-degree sector:
    // red→yellow, yellow→green, green→cyan, cyan→blue, blue→magenta, magenta→red.
    static const int order[6][3] = {
        {0, 1, 2}, {1, 0, 2}, {1, 2, 0}, {2, 1, 0}, {2, 0, 1}, {0, 2, 1}};
    std::array<double, 3> rgb{};
    const double parts[3] = {1.0, x, 0.0};  // largest, middle, smallest component
    for (int i = 0; i < 3; ++i)
        rgb[size_t(order[sector][i])] = parts[i];
    return {rgb[0] * 0.9, rgb[1] * 0.9, rgb[2] * 0.9};
}

std::vector<std::uint8_t> above(const std::vector<float>& strength, double threshold)
{
    std::vector<std::uint8_t> mask(strength.size());
    for (size_t i = 0; i < strength.size(); ++i)
        mask[i] = strength[i] >= threshold ? 1 : 0;
    return mask;
}

double meanWhere(const std::vector<float>& values, const std::vector<std::uint8_t>& mask)
{
    double sum = 0;
    double n = 0;
    for (size_t i = 0; i < values.size(); ++i)
        if (mask[i]) {
            sum += values[i];
            n += 1;
        }
    return n > 0 ? sum / n : 0.0;
}

}  // namespace

const char* curveMapMethodName(CurveMapMethod method)
{
    return method == CurveMapMethod::GuidedBackprop ? "guided" : "input-x-gradient";
}

std::string curveMapMethodLabel(CurveMapMethod method)
{
    return method == CurveMapMethod::GuidedBackprop ? "Guided backprop" : "Input × gradient";
}

CurveMapMethod curveMapMethodFromName(const std::string& name)
{
    if (name == "guided" || name == "guided-backprop")
        return CurveMapMethod::GuidedBackprop;
    if (name == "input-x-gradient" || name == "ixg")
        return CurveMapMethod::InputTimesGradient;
    throw Error("unknown curve map method '" + name + "' (guided or input-x-gradient)");
}

std::vector<double> preferredOrientations(
    Model& model, const std::string& layer, const std::vector<int>& channels, Progress& progress)
{
    SweepConfig sweep;
    sweep.base.kind = StimulusKind::Curve;
    sweep.axes = parseSweep("orientation=0:360:10");
    sweep.target.layer = model.layer(layer).path;
    sweep.target.channels = channels;
    const ReceptiveField field = estimateReceptiveField(model, sweep.target.layer);
    return radialTuning(runSweep(model, sweep, field, progress)).preferred;
}

AttributionTarget strokePenaltyTarget(const std::string& text, const Workspace* workspace)
{
    const std::string prefix = "direction:";
    if (text.rfind(prefix, 0) == 0) {
        if (!workspace)
            throw Error("'" + text +
                "' is a saved direction, read from the model's workspace, "
                "which is not open");
        const NamedDirection saved = loadDirection(*workspace, text.substr(prefix.size()));
        AttributionTarget target;
        target.kind = AttributionTarget::Kind::Concept;  // a direction in the layer's channels
        target.layer = saved.layer;
        target.direction = saved.vector;
        return target;
    }
    AttributionTarget target = AttributionTarget::parse(text);
    resolveConceptTarget(target, workspace);
    return target;
}

CurveMap targetMagnitudeMap(Model& model, const RgbImage& image, const AttributionTarget& target,
    CurveMapMethod method, Progress& progress)
{
    AttributionConfig config;
    config.method = method == CurveMapMethod::GuidedBackprop
        ? AttributionMethod::GuidedBackprop
        : AttributionMethod::InputTimesGradient;
    config.target = target;
    const AttributionMap map = attribute(model, image, config, progress);
    CurveMap result;
    result.width = map.width;
    result.height = map.height;
    result.strength = normalisedStrength(map.values);
    result.picture = inkPicture(result.strength, map.width, map.height);
    result.inputView = map.inputView;
    return result;
}

CurveMap familyCurveMap(
    Model& model, const RgbImage& image, const CurveMapConfig& config, Progress& progress)
{
    CurveMap result;
    if (!config.colourByOrientation) {
        progress.checkCancelled();
        const FamilyGradient map = familyGradientMap(
            model, image, config.layer, config.channels, config.method, config.smoothing);
        result.width = map.width;
        result.height = map.height;
        result.strength = normalisedStrength(map.values);
        result.picture = inkPicture(result.strength, map.width, map.height);
        result.inputView = map.inputView;
        return result;
    }
    // One attribution per unit, each unit's share drawn in its preferred orientation's hue.
    result.preferred = config.preferred;
    if (result.preferred.empty()) {
        Progress sweeping(
            [&](double f, const std::string& t) { progress.report(0.3 * f, t); }, progress);
        result.preferred = preferredOrientations(model, config.layer, config.channels, sweeping);
    }
    if (result.preferred.size() != config.channels.size())
        throw Error("give one preferred orientation per channel of the family");
    std::vector<std::vector<float>> shares;
    for (size_t k = 0; k < config.channels.size(); ++k) {
        progress.checkCancelled();
        const FamilyGradient map = familyGradientMap(
            model, image, config.layer, {config.channels[k]}, config.method, config.smoothing);
        result.width = map.width;
        result.height = map.height;
        result.inputView = map.inputView;
        std::vector<float> share(map.values.size());
        for (size_t i = 0; i < share.size(); ++i)
            share[i] = std::abs(map.values[i]);
        shares.push_back(std::move(share));
        progress.report(0.3 + 0.7 * double(k + 1) / double(config.channels.size()),
            "unit " + std::to_string(k + 1) + " of " + std::to_string(config.channels.size()));
    }
    std::vector<float> total(shares[0].size(), 0.f);
    for (const auto& share : shares)
        for (size_t i = 0; i < total.size(); ++i)
            total[i] += share[i];
    const float scale = std::max(1e-12f, percentile(total, 0.995));
    result.strength = normalisedStrength(total, scale);
    result.picture = RgbImage(result.width, result.height);
    for (size_t i = 0; i < total.size(); ++i) {
        std::array<double, 3> colour{0, 0, 0};
        for (size_t k = 0; k < shares.size(); ++k) {
            const auto hue = hueColour(result.preferred[k]);
            for (int c = 0; c < 3; ++c)
                colour[size_t(c)] += hue[size_t(c)] * shares[k][i];
        }
        const double alpha = result.strength[i];
        for (int c = 0; c < 3; ++c) {
            const double mixed = total[i] > 0 ? colour[size_t(c)] / total[i] : 1.0;
            result.picture.pixels[i * 3 + size_t(c)] =
                std::uint8_t(std::lround(255.0 * ((1 - alpha) + alpha * mixed)));
        }
    }
    return result;
}

RgbImage curveMapColourRamp(bool colourByOrientation, int width)
{
    width = std::max(2, width);
    if (!colourByOrientation) {
        std::vector<float> strength(size_t(width), 0.f);
        for (int i = 0; i < width; ++i)
            strength[size_t(i)] = float(i) / float(width - 1);
        return inkPicture(strength, width, 1);
    }
    RgbImage ramp(width, 1);
    for (int i = 0; i < width; ++i) {
        const auto hue = hueColour(360.0 * double(i) / double(width - 1));
        for (int c = 0; c < 3; ++c)
            ramp.pixels[size_t(i) * 3 + size_t(c)] =
                std::uint8_t(std::lround(255.0 * hue[size_t(c)]));
    }
    return ramp;
}

CannyEdges cannyEdges(const RgbImage& image, const CannyConfig& config)
{
    if (image.empty())
        throw Error("no image to find edges in");
    cv::Mat grey;
    cv::cvtColor(rgbMatView(image), grey, cv::COLOR_RGB2GRAY);
    CannyEdges result;
    result.width = image.width;
    result.height = image.height;
    if (config.low < 0 || config.high < 0) {
        std::vector<float> values(grey.begin<std::uint8_t>(), grey.end<std::uint8_t>());
        const double median = percentile(values, 0.5);
        result.low = std::max(0.0, 0.66 * median);
        result.high = std::min(255.0, 1.33 * median);
    } else {
        if (config.low > config.high)
            throw Error("Canny's low threshold must not exceed its high threshold");
        result.low = config.low;
        result.high = config.high;
    }
    cv::Mat edges;
    cv::Canny(grey, edges, result.low, result.high);
    result.edges.assign(edges.begin<std::uint8_t>(), edges.end<std::uint8_t>());
    for (auto& e : result.edges)
        e = e ? 1 : 0;
    result.picture = RgbImage(image.width, image.height);
    for (size_t i = 0; i < result.edges.size(); ++i)
        for (int c = 0; c < 3; ++c)
            result.picture.pixels[i * 3 + size_t(c)] = result.edges[i] ? 0 : 255;
    return result;
}

void MatchCounts::add(const MatchCounts& other)
{
    predicted += other.predicted;
    predictedNearTruth += other.predictedNearTruth;
    truth += other.truth;
    truthNearPrediction += other.truthNearPrediction;
}

DetectionScore MatchCounts::score(double threshold) const
{
    DetectionScore s;
    s.threshold = threshold;
    s.precision = predicted > 0 ? predictedNearTruth / predicted : 0.0;
    s.recall = truth > 0 ? truthNearPrediction / truth : 0.0;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
    return s;
}

MatchCounts matchPixels(const std::vector<std::uint8_t>& predicted,
    const std::vector<std::uint8_t>& truth, int width, int height, int tolerance)
{
    const size_t n = size_t(width) * size_t(height);
    if (predicted.size() != n || truth.size() != n)
        throw Error("masks of different sizes cannot be matched");
    cv::Mat p(height, width, CV_8U, const_cast<std::uint8_t*>(predicted.data()));
    cv::Mat t(height, width, CV_8U, const_cast<std::uint8_t*>(truth.data()));
    cv::Mat nearP = p.clone();  // never dilated in place: p and t wrap the caller's masks
    cv::Mat nearT = t.clone();
    if (tolerance > 0) {
        const cv::Mat disc = cv::getStructuringElement(
            cv::MORPH_ELLIPSE, cv::Size(2 * tolerance + 1, 2 * tolerance + 1));
        cv::dilate(p, nearP, disc);
        cv::dilate(t, nearT, disc);
    }
    MatchCounts counts;
    counts.predicted = cv::countNonZero(p);
    counts.truth = cv::countNonZero(t);
    counts.predictedNearTruth = cv::countNonZero(p & nearT);
    counts.truthNearPrediction = cv::countNonZero(t & nearP);
    return counts;
}

CurveBenchmark benchmarkCurveExtraction(
    Model& model, const CurveBenchmarkConfig& config, Progress& progress)
{
    const int size = model.metadata().input.size;
    CurveSceneConfig sceneConfig = config.scene;
    sceneConfig.size = size;
    const auto familyMap = [&](const RgbImage& image) {
        return familyGradientMap(model, image, config.map.layer, config.map.channels,
            config.map.method, config.map.smoothing);
    };
    const int total = config.scenes + config.combedScenes;
    const auto step = [&](int i) {
        progress.checkCancelled();
        progress.report(double(i) / std::max(1, total),
            "scene " + std::to_string(i + 1) + " of " + std::to_string(total));
    };

    std::vector<double> mapThresholds;
    for (int i = 1; i <= 49; ++i)
        mapThresholds.push_back(0.02 * i);
    std::vector<double> cannyThresholds;
    for (int i = 1; i <= 40; ++i)
        cannyThresholds.push_back(10.0 * i);
    std::vector<MatchCounts> mapCounts(mapThresholds.size());
    std::vector<MatchCounts> cannyCounts(cannyThresholds.size());
    MatchCounts cannyAuto;
    double onCurves = 0, onLines = 0, cannyCurves = 0, cannyLines = 0;
    for (int i = 0; i < config.scenes; ++i) {
        step(i);
        const CurveScene scene =
            renderCurveScene(sceneConfig, config.seed * 1000 + std::uint64_t(i));
        const auto strength = normalisedStrength(familyMap(scene.image).values);
        for (size_t t = 0; t < mapThresholds.size(); ++t)
            mapCounts[t].add(matchPixels(
                above(strength, mapThresholds[t]), scene.curves, size, size, config.tolerance));
        for (size_t t = 0; t < cannyThresholds.size(); ++t) {
            const auto edges =
                cannyEdges(scene.image, {cannyThresholds[t] / 2, cannyThresholds[t]});
            cannyCounts[t].add(
                matchPixels(edges.edges, scene.curves, size, size, config.tolerance));
        }
        const auto autoEdges = cannyEdges(scene.image).edges;
        cannyAuto.add(matchPixels(autoEdges, scene.curves, size, size, config.tolerance));
        onCurves += meanWhere(strength, scene.curves);
        onLines += meanWhere(strength, scene.lines);
        cannyCurves +=
            matchPixels(autoEdges, scene.curves, size, size, config.tolerance).score(0).recall;
        cannyLines +=
            matchPixels(autoEdges, scene.lines, size, size, config.tolerance).score(0).recall;
    }

    CurveBenchmark result;
    result.scenes = config.scenes;
    result.combedScenes = config.combedScenes;
    for (size_t t = 0; t < mapThresholds.size(); ++t) {
        const DetectionScore s = mapCounts[t].score(mapThresholds[t]);
        result.familyF1ByThreshold.push_back(s.f1);
        if (s.f1 > result.family.f1)
            result.family = s;
    }
    for (size_t t = 0; t < cannyThresholds.size(); ++t) {
        const DetectionScore s = cannyCounts[t].score(cannyThresholds[t]);
        result.cannyF1ByThreshold.push_back(s.f1);
        if (s.f1 > result.canny.f1)
            result.canny = s;
    }
    result.cannyAuto = cannyAuto.score(-1);
    result.familyCurveToLine = onCurves / std::max(onLines, 1e-3 * config.scenes);
    result.cannyCurveToLine = cannyCurves / std::max(cannyLines, 1e-3 * config.scenes);

    CurveSceneConfig combed = sceneConfig;
    combed.combed = true;
    double ticks = 0, arc = 0, background = 0;
    for (int i = 0; i < config.combedScenes; ++i) {
        step(config.scenes + i);
        const CurveScene scene = renderCurveScene(combed, config.seed * 7919 + std::uint64_t(i));
        const auto strength = normalisedStrength(familyMap(scene.image).values);
        cv::Mat strokes(size, size, CV_8U);
        for (size_t p = 0; p < scene.curves.size(); ++p)
            strokes.data[p] = scene.curves[p] || scene.ticks[p] ? 1 : 0;
        cv::Mat near;
        cv::dilate(strokes, near, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(13, 13)));
        std::vector<std::uint8_t> far(scene.curves.size());
        for (size_t p = 0; p < far.size(); ++p)
            far[p] = near.data[p] ? 0 : 1;
        ticks += meanWhere(strength, scene.ticks);
        arc += meanWhere(strength, scene.curves);
        background += meanWhere(strength, far);
    }
    if (config.combedScenes > 0) {
        // Floors of 0.001 (of the map's 99.5th percentile): a silent background is not a
        // division by zero.
        result.combingTicksToArc = ticks / std::max(arc, 1e-3 * config.combedScenes);
        result.combingTicksToBackground = ticks / std::max(background, 1e-3 * config.combedScenes);
    }
    progress.report(1.0, "done");
    return result;
}

}  // namespace loupe
