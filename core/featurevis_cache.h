#pragma once

#include "core/featurevis.h"
#include "core/image_io.h"

#include <optional>

namespace loupe {

class Workspace;

// Feature visualizations in the workspace, keyed by model hash (the workspace's), objective
// and every parameter. Images are stored PNG-encoded; one entry per rendered image, so a
// channel rendered as part of a whole-layer batch is found by a single-channel request.
// Storing is best effort (Workspace::cacheBestEffort): a full disk never costs the render.
std::string featureVisKey(const FeatureVisConfig& config);
std::optional<RgbImage> cachedFeatureVis(
    const Workspace& workspace, const FeatureVisConfig& config);
void storeFeatureVis(Workspace& workspace, const FeatureVisConfig& config, const RgbImage& image);

// A single render with its record (objective before and after, per-step history) beside the
// image, so that a cached result shows the same curve as the run that made it.
void storeFeatureVisResult(
    Workspace& workspace, const FeatureVisConfig& config, const FeatureVisResult& result);
// The image with its record when one was stored (a channel of a layer render has none: its
// history is the batch's, not its own).
std::optional<FeatureVisResult> cachedFeatureVisResult(
    const Workspace& workspace, const FeatureVisConfig& config);

// The settings of the small feature visualizations used as thumbnails (semantic dictionary,
// atlas): cheap enough to render on demand, cached like any other render.
FeatureVisConfig thumbnailConfig();

// What other panels show for a channel: the latest positive render of that channel objective
// the user made (a single render or a whole layer, at whatever settings), else the cached
// thumbnail-settings render; nothing when neither exists.
std::optional<RgbImage> channelPicture(
    const Workspace& workspace, const std::string& layer, int channel);

// The single-channel config that image `index` of a whole-layer batch corresponds to.
FeatureVisConfig channelConfig(const FeatureVisConfig& base, const std::string& layer, int channel);

}  // namespace loupe

namespace loupe {

class Model;

struct LayerRender {
    std::vector<RgbImage> images;  // one per channel
    int fromCache = 0;
    int rendered = 0;
};

// Renders every channel of a layer, `batchSize` channels per optimisation, reusing and
// filling the cache (when a workspace is given). A channel enters the cache only once its
// batch has finished, so a cancelled render leaves no partial entry. `done` is called for
// each channel as soon as its image is known.
// Renders a per-image batch (perImageChannels or perImageDirections: every image has its own
// objective and the same seed) in chunks of at most `batchSize` images, each chunk retried at
// half size when the device runs out of memory: the images do not depend on the chunking.
// The result holds every image in order and the steps done; its objective values and history
// are the first chunk's.
FeatureVisResult renderPerImageInBatches(
    Model& model, const FeatureVisConfig& config, int batchSize, Progress& progress);

LayerRender renderLayerFeatureVis(Model& model, Workspace* workspace, const FeatureVisConfig& base,
    const std::string& layer, int batchSize, Progress& progress,
    const std::function<void(int channel, const RgbImage& image)>& done = {});

}  // namespace loupe
