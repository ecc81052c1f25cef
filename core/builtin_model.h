#pragma once

#include "core/progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

// Loupe's own model: a small CNN trained offline on the procedural shapes dataset
// (core/synthetic_shapes.h), so a fresh install has something real to explore.
//
//   conv1  ConvReLU 3->16, 5x5 stride 2      (edge and colour detectors)
//   conv2  ConvReLU 16->32, 3x3, then pool2  (orientation, corners)
//   mixed3 inception block: 1x1 16 | 3x3 24 (reduce 16) | 5x5 8 (reduce 8) | pool->1x1 16 = 64
//   pool3, conv4 ConvReLU 64->64 3x3          (curves, shapes)
//   avgpool (global mean), fc 64 -> 10 classes
// ReLUs are separate modules so every pre-ReLU value is addressable.
struct TrainingConfig {
    int imageSize = 64;
    int steps = 2000;  // optimiser steps (~85 s on 2 CPU cores)
    int batchSize = 48;
    int testImages = 1000;  // held out: seeds never used in training
    double learningRate = 3e-3;
    double weightDecay = 0.1;  // decoupled (AdamW)
    std::uint64_t seed = 1;
    int checkpoints = 8;  // snapshots kept along the run, for training-dynamics views
    int widthMultiplier = 1;  // tests use reduced configurations
};

struct TrainingReport {
    std::string modelPath;
    std::vector<std::string> checkpointPaths;
    double testAccuracy = 0;
    double finalLoss = 0;
    double seconds = 0;
    int steps = 0;
};

// Trains and writes `<directory>/loupe-shapes.pt` (TorchScript with loupe.json) and
// `<directory>/checkpoints/step-NNNNN.pt`. Everything is written to temporary names and
// renamed at the end: a cancelled or failed run leaves no model file behind.
// Progress reports loss, accuracy and ETA; cancellation is checked every step.
TrainingReport trainBuiltinModel(
    const TrainingConfig& config, const std::string& directory, Progress& progress);

// Where the app keeps the built-in model it trains: <data dir>/builtin/loupe-shapes.pt
std::string builtinModelDirectory(const std::string& dataDirectory);
std::string builtinModelPath(const std::string& dataDirectory);
// Where the package puts the copy trained when it was built:
// <executable dir>/../share/loupe/builtin/loupe-shapes.pt
std::string packagedBuiltinModelPath(const std::string& executableDirectory);
// The built-in model to open: the user's own training when there is one (Train Built-in Model
// replaces it), else the packaged copy; empty when neither exists (the app trains it then).
std::string availableBuiltinModel(
    const std::string& dataDirectory, const std::string& executableDirectory);

}  // namespace loupe
