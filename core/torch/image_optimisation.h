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
};

// Optimises `batch` images for the objective; the result's objective values are the
// objective's (mean over the batch). The config's objective fields are not read. Throws
// loupe::Error (out of memory says so), loupe::Cancelled.
FeatureVisResult optimiseImages(Model& model, const FeatureVisConfig& config, int batch,
    const ImageObjective& objective, Progress& progress, const FeatureVisPreview& preview = {});

}  // namespace loupe
