#pragma once

#include "core/image.h"
#include "core/progress.h"
#include "core/receptive_field.h"
#include "core/stimulus.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace loupe {

class Model;
class Workspace;

// Which units a tuning experiment records: channels of one spatial layer, all at one position
// (the layer's centre by default), so a whole family is measured by the same forward passes.
struct TuningTarget {
    std::string layer;
    std::vector<int> channels;  // the unit first, then the rest of its family
    int x = -1;  // layer position; -1: the centre
    int y = -1;
    bool preRelu = false;  // record pre-activations instead of the layer's output
};

// Curve Detectors figure 15: the response of each target channel to a stimulus swept over one
// or two parameters. Responses are stored row-major over the axes: for two axes the index is
// i0 * axes[1].values.size() + i1.
struct SweepConfig {
    Stimulus base;
    std::vector<SweepAxis> axes;  // one or two
    TuningTarget target;
    int batchSize = 32;
};

struct SweepResult {
    SweepConfig config;  // with the position resolved
    ReceptiveField field;  // the stimuli are centred on it and sized to it
    int inputSize = 0;
    std::vector<float> responses;  // [stimulus][channel]

    int stimuli() const;
    int channels() const { return int(config.target.channels.size()); }
    float response(int stimulus, int channelIndex) const;
    std::vector<double> parametersOf(int stimulus) const;  // one value per axis
    Stimulus stimulusAt(int stimulus) const;
    RgbImage inputImage(int stimulus) const;  // the stimulus as the model sees it (input size)
    RgbImage render(
        int stimulus, int size) const;  // the stimulus over its receptive field (+25% margin)
    std::vector<int> strongest(int channelIndex, int k) const;  // stimulus indices, best first
    // What to show beside the plot: for two axes the unit's k strongest stimuli; for one axis
    // k stimuli evenly spaced along it, in order (the stimuli along the curve's axis).
    std::vector<int> thumbnailStimuli(int k) const;
};

// Renders the stimuli lazily (one batch at a time, so a 72 x 30 sweep of 224-pixel images
// never sits in memory at once) and runs them through the model in batches on its device.
// Throws loupe::Error for a non-spatial layer or out-of-range channels; loupe::Cancelled.
SweepResult runSweep(
    Model& model, const SweepConfig& config, const ReceptiveField& field, Progress& progress);
// The same, cached in the workspace under every parameter of the sweep.
SweepResult cachedSweep(
    Model& model, Workspace& workspace, const SweepConfig& config, Progress& progress);

std::string sweepCacheKey(const SweepConfig& config);
std::string serializeSweep(const SweepResult& result);
SweepResult deserializeSweep(const std::string& data);

// Radial tuning (figures 1, 19, 22-26): per channel, the response to each orientation of a
// sweep, averaged over the other axis after taking the positive part. Throws when the sweep
// has no orientation axis.
struct RadialTuning {
    std::vector<int> channels;
    std::vector<double> orientations;  // degrees
    std::vector<std::vector<float>> responses;  // [channel][orientation]
    std::vector<double> preferred;  // degrees, the peak per channel
};
RadialTuning radialTuning(const SweepResult& sweep);

// Finding a family: the sweep's channels ranked by how sharply they prefer one orientation
// (the circular vector strength of their radial tuning: 1 answers one orientation only, 0 all
// alike; 180-degree-symmetric units such as line detectors score low by design) weighted by
// their peak response, strongest first. Sweep a whole layer's channels to find its curve
// detectors.
struct TunedUnit {
    int channel = 0;
    double preferred = 0;  // degrees
    double selectivity = 0;  // 0..1
    float peak = 0;  // peak of the radial tuning
};
std::vector<TunedUnit> rankByOrientationTuning(const SweepResult& sweep, int k);
// The sweep a whole-layer ranking starts with: 24 orientations x 4 curvatures = 96 stimuli,
// seconds for a layer of hundreds of channels on a CPU (the single-unit default has 1,224).
// Rankings with it are a first look; a finer sweep is the user's to ask for.
constexpr const char* kCoarseRankingSweep = "orientation=0:360:15,curvature=0.5:2:0.5";
// The radial tuning restricted to some of its channels (e.g. the top of a ranking).
RadialTuning selectChannels(const RadialTuning& radial, const std::vector<int>& channels);

// Invariance (figure 15b): the same sweep under appearance variations, and how much the unit's
// response changes: peak ratio to the reference and correlation of the whole response map.
struct InvarianceVariant {
    std::string name;
    SweepResult sweep;
    double peakRatio = 0;
    double correlation = 0;
};
std::vector<InvarianceVariant> invarianceCheck(Model& model, Workspace* workspace,
    const SweepConfig& config, const ReceptiveField& field, Progress& progress);

// Curve Detectors figure 13: the unit's top dataset examples (from the latest scan of the
// layer), each rotated about the receptive-field centre of its strongest position, with the
// response of every family channel at that position. `aligned` shifts each example's curves
// so that the unit's own response peaks at 0 degrees before averaging.
struct RotationConfig {
    TuningTarget target;  // position is ignored: each example's own position is used
    std::string folder;  // scanned folder; empty: the latest scan
    int examples = 16;
    double stepDegrees = 5;
    int batchSize = 32;
};
struct RotationTuning {
    std::vector<int> channels;
    std::vector<double> angles;  // degrees, [0, 360)
    std::vector<std::vector<float>> mean;  // [channel][angle], unaligned
    std::vector<std::vector<float>> aligned;  // [channel][angle], aligned to the unit's peak
    std::vector<std::string> examples;  // the images used
};
RotationTuning rotationTuning(
    Model& model, Workspace& workspace, const RotationConfig& config, Progress& progress);

// The activation of `target`'s channels at its position for images already at the model's
// input size (e.g. rendered stimuli); generated lazily by `imageAt`. [image][channel].
std::vector<float> unitResponses(Model& model, const TuningTarget& target, int count,
    const std::function<RgbImage(int)>& imageAt, int batchSize, Progress& progress,
    const std::function<std::pair<int, int>(int)>& positionAt = {});

// A rotated copy of an input-sized image about (cx, cy), counter-clockwise on screen, with the
// corners filled by replicating the border.
RgbImage rotateImage(const RgbImage& image, double degrees, double cx, double cy);

}  // namespace loupe
