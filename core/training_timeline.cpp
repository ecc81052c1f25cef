// Each frame is computed on its own checkpoint with the engine's existing pieces (feature
// visualization, weights, activations, a tuning sweep) and cached in that checkpoint's
// workspace, so scrubbing a timeline twice renders nothing twice.

#include "core/training_timeline.h"

#include "core/activations.h"
#include "core/binary_io.h"
#include "core/colormap.h"
#include "core/cv_convert.h"
#include "core/error.h"
#include "core/featurevis.h"
#include "core/image_folder.h"
#include "core/model.h"
#include "core/tuning.h"
#include "core/weights.h"
#include "core/workspace.h"
#include "core/workspace_cache.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>

namespace loupe {
namespace {

namespace fs = std::filesystem;

long long lastNumber(const std::string& name)
{
    static const std::regex digits("([0-9]+)");
    long long value = -1;
    for (auto it = std::sregex_iterator(name.begin(), name.end(), digits);
         it != std::sregex_iterator(); ++it) {
        try {
            value = std::stoll((*it)[1].str());
        } catch (const std::exception&) {
            value = -1;
        }
    }
    return value;
}

RgbImage resized(const RgbImage& image, int size)
{
    if (image.empty())
        return RgbImage(size, size);
    // The centre square, as a model sees a photo.
    const int side = std::min(image.width, image.height);
    const cv::Rect square((image.width - side) / 2, (image.height - side) / 2, side, side);
    cv::Mat out;
    cv::resize(rgbMatView(image)(square), out, cv::Size(size, size), 0, 0, cv::INTER_AREA);
    RgbImage result(size, size);
    std::copy(out.data, out.data + result.pixels.size(), result.pixels.begin());
    return result;
}

RgbImage unitFilter(Model& model, const std::string& layer, int channel)
{
    const LayerWeights weights = layerWeightsIfAny(model, layer, 4);
    if (!weights.unavailable.empty() || channel >= weights.outChannels)
        return {};
    if (weights.seesInput)
        return upscaleNearest(weights.colourFilters.at(size_t(channel)), 64, 64);
    std::vector<RgbImage> tiles;
    for (const auto& slice : weights.kernels.at(size_t(channel))) {
        float extent = 1e-6f;
        for (float v : slice.weights.values)
            extent = std::max(extent, std::abs(v));
        tiles.push_back(colorize(slice.weights, -extent, extent, Colormap::Diverging));
    }
    return tiles.empty() ? RgbImage() : tileGrid(tiles, 2, 30, 2, 255);
}

void topExamples(
    Model& model, const TimelineConfig& config, TimelineFrame& frame, Progress& progress)
{
    if (config.examplesFolder.empty())
        return;
    const auto files = evenlySpread(listImages(config.examplesFolder), config.maxImages);
    const int input = model.metadata().input.size;
    struct Scored {
        float value;
        size_t index;
        RgbImage image;
    };
    std::vector<Scored> scored;
    const size_t chunk = 16;
    for (size_t begin = 0; begin < files.size(); begin += chunk) {
        progress.checkCancelled();
        const auto decoded = decodeImages(
            config.examplesFolder, files, begin, std::min(files.size(), begin + chunk), input, 2);
        for (const auto& d : decoded) {
            if (!d.error.empty())
                continue;
            const auto activations = computeActivations(model, d.image, config.layer, false, 0);
            const FloatMap map = activations.channelMap(config.channel);
            const float best =
                map.values.empty() ? 0.f : *std::max_element(map.values.begin(), map.values.end());
            scored.push_back({best, size_t(d.index), resized(d.image, 64)});
        }
    }
    std::stable_sort(scored.begin(), scored.end(),
        [](const Scored& a, const Scored& b) { return a.value > b.value; });
    for (size_t i = 0; i < scored.size() && int(i) < config.topExamples; ++i) {
        frame.examples.push_back(scored[i].image);
        frame.exampleValues.push_back(scored[i].value);
        frame.exampleFiles.push_back(files[scored[i].index]);
    }
}

void tuning(Model& model, const TimelineConfig& config, TimelineFrame& frame, Progress& progress)
{
    SweepConfig sweep;
    sweep.base.kind = StimulusKind::Curve;
    sweep.axes = parseSweep(config.sweep);
    sweep.target.layer = config.layer;
    sweep.target.channels = {config.channel};
    const ReceptiveField field = estimateReceptiveField(model, config.layer);
    const SweepResult result = runSweep(model, sweep, field, progress);
    const RadialTuning radial = radialTuning(result);
    frame.orientations = radial.orientations;
    frame.tuning = radial.responses.at(0);
    const auto ranked = rankByOrientationTuning(result, 1);
    if (!ranked.empty()) {
        frame.selectivity = ranked[0].selectivity;
        frame.preferred = ranked[0].preferred;
        frame.peak = ranked[0].peak;
    }
}

TimelineFrame computeFrame(Model& model, const TimelineConfig& config, Progress& progress)
{
    TimelineFrame frame;
    FeatureVisConfig fv;
    ObjectiveTerm term;
    term.kind = ObjectiveTerm::Kind::Channel;
    term.layer = config.layer;
    term.channel = config.channel;
    fv.objective = {term};
    fv.size = config.featureVisSize;
    fv.steps = config.featureVisSteps;
    fv.previewEvery = 0;
    frame.featureVis = renderFeatureVis(model, fv, progress).images.at(0);
    frame.filter = unitFilter(model, config.layer, config.channel);
    topExamples(model, config, frame, progress);
    tuning(model, config, frame, progress);
    return frame;
}

void putImage(BinaryWriter& w, const RgbImage& image)
{
    w.put(std::int32_t(image.width));
    w.put(std::int32_t(image.height));
    w.putVector(image.pixels);
}

RgbImage getImage(BinaryReader& r)
{
    RgbImage image;
    image.width = r.get<std::int32_t>();
    image.height = r.get<std::int32_t>();
    image.pixels = r.getVector<std::uint8_t>();
    if (image.pixels.size() !=
        size_t(std::max(0, image.width)) * size_t(std::max(0, image.height)) * 3)
        throw Error("a cached timeline frame is damaged");
    return image;
}

std::string serializeFrame(const TimelineFrame& f)
{
    BinaryWriter w;
    w.put(std::uint32_t(1));
    putImage(w, f.featureVis);
    putImage(w, f.filter);
    w.put(std::uint64_t(f.examples.size()));
    for (const auto& e : f.examples)
        putImage(w, e);
    w.putVector(f.exampleValues);
    w.putStrings(f.exampleFiles);
    w.putVector(f.orientations);
    w.putVector(f.tuning);
    w.put(f.selectivity);
    w.put(f.preferred);
    w.put(f.peak);
    return w.out;
}

TimelineFrame deserializeFrame(const std::string& bytes)
{
    BinaryReader r(bytes, "timeline frame");
    if (r.get<std::uint32_t>() != 1)
        throw Error("a cached timeline frame has another format");
    TimelineFrame f;
    f.featureVis = getImage(r);
    f.filter = getImage(r);
    const auto n = r.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < n && i < 1000; ++i)
        f.examples.push_back(getImage(r));
    f.exampleValues = r.getVector<float>();
    f.exampleFiles = r.getStrings();
    f.orientations = r.getVector<double>();
    f.tuning = r.getVector<float>();
    f.selectivity = r.get<double>();
    f.preferred = r.get<double>();
    f.peak = r.get<float>();
    return f;
}

std::string frameKey(const TimelineConfig& c)
{
    return c.layer + ":" + std::to_string(c.channel) + "|" + c.examplesFolder + "|" +
        std::to_string(c.maxImages) + "|" + std::to_string(c.topExamples) + "|" +
        std::to_string(c.featureVisSteps) + "|" + std::to_string(c.featureVisSize) + "|" + c.sweep;
}

std::vector<std::string> layerPaths(const Model& model)
{
    std::vector<std::string> paths;
    for (const auto& layer : model.layers())
        paths.push_back(layer.path);
    return paths;
}

void checkSameLayers(const std::vector<std::string>& reference, const Model& model,
    const TimelineCheckpoint& first, const TimelineCheckpoint& checkpoint)
{
    const auto paths = layerPaths(model);
    if (paths == reference)
        return;
    size_t i = 0;
    while (i < paths.size() && i < reference.size() && paths[i] == reference[i])
        ++i;
    const std::string theirs = i < paths.size() ? "'" + paths[i] + "'" : "nothing";
    const std::string ours = i < reference.size() ? "'" + reference[i] + "'" : "nothing";
    throw Error("checkpoint '" + checkpoint.name + "' is not the architecture of '" + first.name +
        "': its layer " + std::to_string(i + 1) + " is " + theirs + " where '" + first.name +
        "' has " + ours + ". A timeline follows one architecture: put other models elsewhere");
}

}  // namespace

std::vector<TimelineCheckpoint> listCheckpoints(const std::string& folder)
{
    std::error_code error;
    fs::directory_iterator it(folder, error);
    if (error)
        throw Error("cannot read the checkpoint folder '" + folder + "': " + error.message());
    std::vector<TimelineCheckpoint> checkpoints;
    for (const auto& entry : it) {
        if (!entry.is_regular_file(error) || entry.path().extension() != ".pt")
            continue;
        TimelineCheckpoint c;
        c.path = entry.path().string();
        c.name = entry.path().stem().string();
        c.step = lastNumber(c.name);
        checkpoints.push_back(c);
    }
    if (checkpoints.empty())
        throw Error("'" + folder + "' holds no checkpoint (.pt file)");
    std::sort(checkpoints.begin(), checkpoints.end(),
        [](const TimelineCheckpoint& a, const TimelineCheckpoint& b) {
            if (a.step != b.step)
                return a.step < b.step;
            return a.name < b.name;
        });
    return checkpoints;
}

std::vector<TimelineFrame> buildTimeline(const std::vector<TimelineCheckpoint>& checkpoints,
    const TimelineConfig& config, Progress& progress,
    const std::function<void(const TimelineFrame&)>& frameDone)
{
    if (checkpoints.empty())
        throw Error("a timeline needs at least one checkpoint");
    ModelOpenOptions options;
    options.dataDirectory = config.dataDirectory;
    // Every checkpoint is opened and checked first: a wrong file is named before any work.
    std::vector<std::unique_ptr<Model>> models;
    std::vector<std::string> reference;
    for (size_t i = 0; i < checkpoints.size(); ++i) {
        progress.checkCancelled();
        progress.report(0.05 * double(i) / checkpoints.size(), "opening " + checkpoints[i].name);
        auto model = Model::load(checkpoints[i].path, DevicePreference::Automatic, options);
        if (i == 0) {
            reference = layerPaths(*model);
            const LayerInfo& layer = model->layer(config.layer);
            if (config.channel < 0 || config.channel >= layer.channels())
                throw Error("channel " + std::to_string(config.channel) + " is out of range for '" +
                    layer.path + "'");
        } else {
            checkSameLayers(reference, *model, checkpoints[0], checkpoints[i]);
        }
        models.push_back(std::move(model));
    }
    TimelineConfig resolved = config;
    resolved.layer = models[0]->layer(config.layer).path;
    std::vector<TimelineFrame> frames;
    for (size_t i = 0; i < models.size(); ++i) {
        Model& model = *models[i];
        Progress part(
            [&](double f, const std::string& text) {
                progress.report(0.05 + 0.95 * (double(i) + std::clamp(f, 0.0, 1.0)) / models.size(),
                    checkpoints[i].name + ": " + text);
            },
            progress);
        std::unique_ptr<Workspace> workspace;
        if (!config.dataDirectory.empty()) {
            try {
                workspace = Workspace::open(
                    Workspace::fileForModel(config.dataDirectory, model.hash()), model.hash());
            } catch (const Error&) {
                workspace.reset();  // the frame is made without a cache
            }
        }
        bool fromCache = false;
        TimelineFrame frame = readOrMake<TimelineFrame>(
            workspace.get(), "timeline-frame", frameKey(resolved), &fromCache, deserializeFrame,
            [&] { return computeFrame(model, resolved, part); }, serializeFrame);
        frame.checkpoint = checkpoints[i];
        frame.modelHash = model.hash();
        frame.fromCache = fromCache;
        if (frameDone)
            frameDone(frame);
        frames.push_back(std::move(frame));
        models[i].reset();  // one model in memory at a time after the check
    }
    progress.report(1.0, "timeline of " + std::to_string(frames.size()) + " checkpoints");
    return frames;
}

std::string timelineCsv(const std::vector<TimelineFrame>& frames)
{
    std::string csv = "checkpoint,step,selectivity,preferred_degrees,peak\n";
    for (const auto& f : frames)
        csv += f.checkpoint.name + "," + std::to_string(f.checkpoint.step) + "," +
            std::to_string(f.selectivity) + "," + std::to_string(f.preferred) + "," +
            std::to_string(f.peak) + "\n";
    return csv;
}

RgbImage timelineFigure(const std::vector<TimelineFrame>& frames, const TimelineConfig& config)
{
    const int column = 136, tile = 128, gap = 8;
    const int n = std::max<int>(1, int(frames.size()));
    const int title = 34, header = 22, plotHeight = 180, tuningHeight = 70;
    const int rows = tile * 3 + tuningHeight + gap * 4;
    cv::Mat canvas(title + header + rows + plotHeight + 14, n * column + 60, CV_8UC3,
        cv::Scalar(255, 255, 255));
    const auto text = [&](const std::string& s, int x, int y, double scale = 0.42,
                          cv::Scalar colour = cv::Scalar(30, 30, 30)) {
        cv::putText(
            canvas, s, cv::Point(x, y), cv::FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv::LINE_AA);
    };
    text("Training timeline of " + config.layer + ":" + std::to_string(config.channel) +
            " - feature vis, filter, top examples, curve tuning",
        8, 22, 0.55);
    const auto paste = [&](const RgbImage& image, int x, int y, int size) {
        if (image.empty())
            return;
        cv::Mat resized;
        cv::resize(rgbMatView(image), resized, cv::Size(size, size), 0, 0,
            image.width < size ? cv::INTER_NEAREST : cv::INTER_AREA);
        resized.copyTo(canvas(cv::Rect(x, y, size, size)));
    };
    float tuningMax = 1e-6f;
    for (const auto& f : frames)
        for (float v : f.tuning)
            tuningMax = std::max(tuningMax, v);
    for (int i = 0; i < int(frames.size()); ++i) {
        const auto& f = frames[size_t(i)];
        const int x = 60 + i * column;
        int y = title + header;
        text(f.checkpoint.step >= 0 ? "step " + std::to_string(f.checkpoint.step)
                                    : f.checkpoint.name,
            x, y - 6);
        paste(f.featureVis, x, y, tile);
        y += tile + gap;
        paste(f.filter, x + tile / 4, y + tile / 4, tile / 2);
        y += tile + gap;
        const int half = tile / 2;
        for (size_t e = 0; e < f.examples.size() && e < 4; ++e)
            paste(f.examples[e], x + int(e % 2) * half, y + int(e / 2) * half, half - 1);
        y += tile + gap;
        // The tuning curve, drawn on one scale for every checkpoint so growth is visible.
        cv::rectangle(canvas, cv::Rect(x, y, tile, tuningHeight), cv::Scalar(235, 235, 235), -1);
        std::vector<cv::Point> curve;
        for (size_t k = 0; k < f.tuning.size(); ++k)
            curve.emplace_back(
                x + int(double(k) / std::max<size_t>(1, f.tuning.size() - 1) * (tile - 1)),
                y + tuningHeight - 1 - int(f.tuning[k] / tuningMax * (tuningHeight - 4)));
        if (curve.size() > 1)
            cv::polylines(canvas, curve, false, cv::Scalar(200, 60, 40), 2, cv::LINE_AA);
    }
    text("feature", 2, title + header + 50);
    text("vis", 2, title + header + 66);
    text("filter", 2, title + header + tile + gap + 60);
    text("top", 2, title + header + 2 * (tile + gap) + 50);
    text("images", 2, title + header + 2 * (tile + gap) + 66);
    text("tuning", 2, title + header + 3 * (tile + gap) + 40);
    // Selectivity over training.
    const int top = title + header + rows + 10;
    const int left = 60, width = n * column - 20, height = plotHeight - 40;
    cv::rectangle(canvas, cv::Rect(left, top, width, height), cv::Scalar(120, 120, 120), 1);
    text("orientation selectivity (0..1)", left + 4, top + 14);
    text("1", left - 14, top + 6);
    text("0", left - 14, top + height);
    std::vector<cv::Point> points;
    for (int i = 0; i < int(frames.size()); ++i) {
        const int px = left + int((i + 0.5) * width / n);
        const int py = top + height - int(frames[size_t(i)].selectivity * height);
        points.emplace_back(px, py);
        char label[16];
        std::snprintf(label, sizeof label, "%.2f", frames[size_t(i)].selectivity);
        text(label, px - 14, py - 8);
    }
    if (points.size() > 1)
        cv::polylines(canvas, points, false, cv::Scalar(40, 90, 200), 2, cv::LINE_AA);
    for (const auto& p : points)
        cv::circle(canvas, p, 4, cv::Scalar(40, 90, 200), -1, cv::LINE_AA);
    text("checkpoints in training order", left + width / 2 - 100, top + height + 24);
    RgbImage out(canvas.cols, canvas.rows);
    std::copy(canvas.data, canvas.data + out.pixels.size(), out.pixels.begin());
    return out;
}

}  // namespace loupe
