#pragma once
// Internal: the image-optimisation loop that feature visualization, feature inversion and the
// other image-space experiments share — the parameterisation (Fourier or pixels, decorrelated
// colour, progressive upscaling), transformation robustness, the L1/L2/total-variation
// regularisers and Adam, all read from a FeatureVisConfig; only the objective differs.

#include "core/featurevis.h"
#include "core/torch/capture.h"

#include <torch/script.h>

#include <functional>

namespace loupe {

class Model;

struct ImageObjective {
    std::vector<CaptureRequest> requests;  // what the objective reads
    bool withModelOutput = false;
    // Per-image values (B) to maximise (to minimise with config.negative).
    std::function<torch::Tensor(const CaptureResult& captured)> evaluate;
    // Added to the loss, e.g. the diversity term; may be empty.
    std::function<torch::Tensor(const CaptureResult& captured)> penalty;

    // How the search starts and steps (DeepDream, style transfer, fooling images):
    // one image per batch entry to start from instead of noise (resized to config.size);
    std::vector<RgbImage> start;
    // DeepDream's update instead of Adam: parameter += lr * g / mean|g| per image;
    bool normalisedGradient = false;
    // stop early once the mean objective of a step satisfies it (e.g. 99 % confidence).
    std::function<bool(float objective)> stopWhen;
};

// The objective of a feature-visualization config (its objective terms, per-image channels or
// directions, diversity), checked against the model. Throws loupe::Error like renderFeatureVis.
ImageObjective featureVisObjective(Model& model, const FeatureVisConfig& config);

// Optimises `batch` images for the objective; the result's objective values are the
// objective's (mean over the batch). The config's objective fields are not read. Throws
// loupe::Error (out of memory says so), loupe::Cancelled.
FeatureVisResult optimiseImages(Model& model, const FeatureVisConfig& config, int batch,
    const ImageObjective& objective, Progress& progress, const FeatureVisPreview& preview = {});

}  // namespace loupe
