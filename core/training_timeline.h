#pragma once
// Training timeline (Curve Detectors, "when did this curve detector form?"): one unit followed
// through a series of checkpoints of one architecture — its feature visualization, filter, top
// examples and orientation tuning at each, and its selectivity over training.

#include "core/image.h"
#include "core/progress.h"

#include <functional>
#include <string>
#include <vector>

namespace loupe {

struct TimelineCheckpoint {
    std::string path;
    std::string name;  // file name without extension
    long long step = -1;  // the last number in the file name ("step-00250" -> 250), else -1
};

// The .pt files of a folder in training order (by the number in their names, then by name).
// Throws loupe::Error when the folder cannot be read or holds no .pt file.
std::vector<TimelineCheckpoint> listCheckpoints(const std::string& folder);

struct TimelineConfig {
    std::string layer;
    int channel = 0;
    std::string examplesFolder;  // optional: top examples among its first `maxImages` images
    int maxImages = 200;
    int topExamples = 4;
    int featureVisSteps = 128;
    int featureVisSize = 96;
    std::string sweep = "orientation=0:360:15";  // of curves, at the unit's receptive field
    // Where each checkpoint's workspace lives (frames are cached there, keyed by the settings
    // above); empty: nothing is cached.
    std::string dataDirectory;
};

struct TimelineFrame {
    TimelineCheckpoint checkpoint;
    std::string modelHash;
    RgbImage featureVis;
    RgbImage filter;  // the unit's own weights (first layer: in colour; else its strongest kernels)
    std::vector<RgbImage> examples;  // the model's view of the strongest images, best first
    std::vector<float> exampleValues;  // their maximum activation
    std::vector<std::string> exampleFiles;
    std::vector<double> orientations;  // degrees
    std::vector<float> tuning;  // response to curves at each orientation (positive part)
    double selectivity = 0;  // circular vector strength of the tuning, 0..1
    double preferred = 0;  // degrees
    float peak = 0;
    bool fromCache = false;
};

// Every checkpoint is opened and checked against the first: a checkpoint whose layer names
// differ is refused with an error naming the file and the first layer that differs, before
// any work. Frames are computed in order; `frameDone` sees each as soon as it is ready.
// Throws loupe::Error (unreadable checkpoint, unknown layer or channel); loupe::Cancelled.
std::vector<TimelineFrame> buildTimeline(const std::vector<TimelineCheckpoint>& checkpoints,
    const TimelineConfig& config, Progress& progress,
    const std::function<void(const TimelineFrame&)>& frameDone = {});

// The strip as one figure: a column per checkpoint (feature vis, filter, top examples, tuning
// curve) and the selectivity over training beneath, drawn with the checkpoints' steps.
RgbImage timelineFigure(const std::vector<TimelineFrame>& frames, const TimelineConfig& config);

// The unit's selectivity per checkpoint (CSV: checkpoint, step, selectivity, preferred, peak).
std::string timelineCsv(const std::vector<TimelineFrame>& frames);

}  // namespace loupe
