#include "core/featurevis_cache.h"

#include "core/error.h"
#include "core/json.h"
#include "core/shrinking_batches.h"
#include "core/workspace.h"

namespace loupe {
namespace {
constexpr const char* kKind = "featurevis";
constexpr const char* kRecordKind = "featurevis-record";
constexpr const char* kLatestKind =
    "featurevis-latest";  // "layer:channel" -> the key of its latest render

// A render that shows what one channel is: one positive channel objective, one image.
bool isChannelPicture(const FeatureVisConfig& config)
{
    return config.objective.size() == 1 &&
        config.objective.front().kind == ObjectiveTerm::Kind::Channel &&
        config.perImageChannels.empty() && config.perImageDirections.empty() && config.batch == 1 &&
        !config.negative;
}

std::string channelName(const std::string& layer, int channel)
{
    return layer + ":" + std::to_string(channel);
}
}  // namespace

FeatureVisConfig thumbnailConfig()
{
    FeatureVisConfig c;
    c.size = 96;
    c.steps = 128;
    c.previewEvery = 0;
    c.preRelu = true;  // a thumbnail must show something even for units silent on a grey start
    return c;
}

FeatureVisConfig channelConfig(const FeatureVisConfig& base, const std::string& layer, int channel)
{
    FeatureVisConfig c = base;
    c.perImageChannels.clear();
    c.perImageLayer.clear();
    c.batch = 1;
    c.diversity = 0;
    ObjectiveTerm term;
    term.kind = ObjectiveTerm::Kind::Channel;
    term.layer = layer;
    term.channel = channel;
    c.objective = {term};
    c.previewEvery = 0;
    return c;
}

std::string featureVisKey(const FeatureVisConfig& config)
{
    FeatureVisConfig c = config;
    c.previewEvery = 0;  // does not change the result
    return c.cacheKey();
}

std::optional<RgbImage> cachedFeatureVis(const Workspace& workspace, const FeatureVisConfig& config)
{
    const auto bytes = workspace.get(kKind, featureVisKey(config));
    if (!bytes)
        return std::nullopt;
    try {
        return decodePng(*bytes);
    } catch (const Error&) {
        return std::nullopt;
    }
}

namespace {

// Throws on a failed write; the public store functions make it best effort.
void putFeatureVis(Workspace& workspace, const FeatureVisConfig& config, const RgbImage& image)
{
    workspace.transaction([&] {
        workspace.put(kKind, featureVisKey(config), encodePng(image));
        if (isChannelPicture(config))
            workspace.put(kLatestKind,
                channelName(config.objective.front().layer, config.objective.front().channel),
                featureVisKey(config));
    });
}

}  // namespace

void storeFeatureVis(Workspace& workspace, const FeatureVisConfig& config, const RgbImage& image)
{
    workspace.cacheBestEffort([&] { putFeatureVis(workspace, config, image); });
}

std::optional<RgbImage> channelPicture(
    const Workspace& workspace, const std::string& layer, int channel)
{
    if (const auto key = workspace.get(kLatestKind, channelName(layer, channel)))
        if (const auto bytes = workspace.get(kKind, *key)) {
            try {
                return decodePng(*bytes);
            } catch (const Error&) {
                // fall back to the thumbnail render below
            }
        }
    return cachedFeatureVis(workspace, channelConfig(thumbnailConfig(), layer, channel));
}

}  // namespace loupe

#include "core/model.h"

namespace loupe {

FeatureVisResult renderPerImageInBatches(
    Model& model, const FeatureVisConfig& config, int batchSize, Progress& progress)
{
    const bool byChannel = !config.perImageChannels.empty();
    const int total =
        int(byChannel ? config.perImageChannels.size() : config.perImageDirections.size());
    if (total == 0)
        throw Error("nothing to render: no per-image objectives");
    FeatureVisResult all;
    forEachShrinkingBatch(total, batchSize, [&](int start, int count) {
        progress.checkCancelled();
        FeatureVisConfig chunk = config;
        if (byChannel)
            chunk.perImageChannels.assign(config.perImageChannels.begin() + start,
                config.perImageChannels.begin() + start + count);
        else
            chunk.perImageDirections.assign(config.perImageDirections.begin() + start,
                config.perImageDirections.begin() + start + count);
        const double begin = double(start) / total, span = double(count) / total;
        Progress watcher(
            [&](double fraction, const std::string& text) {
                progress.report(begin + span * fraction,
                    "images " + std::to_string(start + 1) + "-" + std::to_string(start + count) +
                        " of " + std::to_string(total) + ": " + text);
            },
            progress);
        FeatureVisResult part = renderFeatureVis(model, chunk, watcher);
        if (watcher.isCancelled() || progress.isCancelled())
            throw Cancelled();
        if (all.images.empty()) {
            all.objectiveHistory = part.objectiveHistory;
            all.initialObjective = part.initialObjective;
            all.finalObjective = part.finalObjective;
            all.stepsDone = part.stepsDone;
        }
        if (all.warning.empty())
            all.warning = part.warning;
        for (auto& image : part.images)
            all.images.push_back(std::move(image));
    });
    return all;
}

LayerRender renderLayerFeatureVis(Model& model, Workspace* workspace, const FeatureVisConfig& base,
    const std::string& layerName, int batchSize, Progress& progress,
    const std::function<void(int, const RgbImage&)>& done)
{
    const LayerInfo& layer = model.layer(layerName);
    const int channels = int(layer.channels());
    if (channels <= 0)
        throw Error("layer '" + layer.path + "' has no channels to render");
    LayerRender out;
    out.images.resize(size_t(channels));
    std::vector<int> missing;
    for (int c = 0; c < channels; ++c) {
        const auto cached = workspace
            ? cachedFeatureVis(*workspace, channelConfig(base, layer.path, c))
            : std::nullopt;
        if (cached) {
            out.images[size_t(c)] = *cached;
            ++out.fromCache;
            if (done)
                done(c, *cached);
        } else {
            missing.push_back(c);
        }
    }
    // A batch that runs out of GPU memory is retried smaller: channels keep their own seeds,
    // so the images do not depend on the batch they were rendered in.
    forEachShrinkingBatch(int(missing.size()), batchSize, [&](int start, int count) {
        progress.checkCancelled();
        FeatureVisConfig config = base;
        config.perImageLayer = layer.path;
        config.perImageChannels.assign(missing.begin() + start, missing.begin() + start + count);
        config.previewEvery = 0;
        const double begin = double(start) / double(missing.size());
        const double span = double(count) / double(missing.size());
        Progress watcher(
            [&](double fraction, const std::string& text) {
                progress.report(begin + span * fraction,
                    "channels " + std::to_string(config.perImageChannels.front()) + "-" +
                        std::to_string(config.perImageChannels.back()) + ": " + text);
            },
            progress);
        const FeatureVisResult result = renderFeatureVis(model, config, watcher);
        if (watcher.isCancelled() || progress.isCancelled())
            throw Cancelled();
        if (!result.warning.empty())
            throw Error(result.warning);
        for (size_t i = 0; i < result.images.size(); ++i) {
            const int c = config.perImageChannels[i];
            out.images[size_t(c)] = result.images[i];
            ++out.rendered;
            if (workspace)
                storeFeatureVis(*workspace, channelConfig(base, layer.path, c), result.images[i]);
            if (done)
                done(c, result.images[i]);
        }
    });
    progress.report(1.0, "done");
    return out;
}

void storeFeatureVisResult(
    Workspace& workspace, const FeatureVisConfig& config, const FeatureVisResult& result)
{
    if (result.images.empty())
        throw Error("no image to store");
    Json record = Json::object();
    record["objective_start"] = result.initialObjective;
    record["objective_end"] = result.finalObjective;
    record["steps"] = result.stepsDone;
    Json history = Json::array();
    for (float v : result.objectiveHistory)
        history.push(v);
    record["history"] = history;
    workspace.cacheBestEffort([&] {
        workspace.transaction([&] {
            putFeatureVis(workspace, config, result.images.front());
            workspace.put(kRecordKind, featureVisKey(config), record.dump());
        });
    });
}

std::optional<FeatureVisResult> cachedFeatureVisResult(
    const Workspace& workspace, const FeatureVisConfig& config)
{
    auto image = cachedFeatureVis(workspace, config);
    if (!image)
        return std::nullopt;
    FeatureVisResult result;
    result.images = {std::move(*image)};
    if (const auto stored = workspace.get(kRecordKind, featureVisKey(config))) {
        try {
            const Json record = Json::parse(*stored);
            result.initialObjective = float(record["objective_start"].toNumber());
            result.finalObjective = float(record["objective_end"].toNumber());
            result.stepsDone = int(record["steps"].toNumber());
            for (const auto& v : record["history"].toArray())
                result.objectiveHistory.push_back(float(v.toNumber()));
        } catch (const Error&) {
            result.objectiveHistory.clear();  // an unreadable record: the image alone
        }
    }
    return result;
}

}  // namespace loupe
