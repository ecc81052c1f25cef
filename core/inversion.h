#pragma once
// Feature inversion (Mahendran & Vedaldi 2015): an image whose code at a layer matches a
// photo's, found by optimising from noise with the feature-visualization machinery (Fourier
// parameterisation, total variation). What a layer still knows about the photo.

#include "core/featurevis.h"
#include "core/image.h"
#include "core/progress.h"

#include <functional>
#include <string>
#include <vector>

namespace loupe {

class Model;

struct InversionConfig {
    std::vector<std::string> layers;  // one reconstruction each
    int steps = 256;
    float learningRate = 0.05f;
    float totalVariation = 0.02f;
    FeatureVisConfig::Parameterization parameterization =
        FeatureVisConfig::Parameterization::Fourier;
    std::uint64_t seed = 0;
};

struct LayerInversion {
    std::string layer;
    RgbImage reconstruction;  // the model's input size
    // Relative code error ||phi(x) - phi(x0)||^2 / ||phi(x0)||^2 before step 1 and at the end.
    float initialError = 0.f;
    float finalError = 0.f;
    std::vector<float> errorHistory;  // per step
};

struct Inversion {
    RgbImage target;  // the photo as the model sees it
    std::vector<LayerInversion> layers;
};

// (layer index, the reconstruction so far, step, relative code error) every 16 steps.
using InversionPreview =
    std::function<void(int layer, const RgbImage& image, int step, float error)>;

// Throws loupe::Error for an unknown or uncapturable layer, a layer whose code is all zero
// on the photo, or bad settings; loupe::Cancelled.
Inversion invertImage(Model& model, const RgbImage& photo, const InversionConfig& config,
    Progress& progress, const InversionPreview& preview = {});

}  // namespace loupe
