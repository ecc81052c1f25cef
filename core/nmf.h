#pragma once

#include "core/featurevis.h"
#include "core/progress.h"

#include <array>

#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

class Model;
struct RgbImage;

// Non-negative matrix factorisation V (n x c) ~ W (n x k) H (k x c), by Lee & Seung's
// multiplicative updates (the Frobenius error never increases), computed with LibTorch so
// that it runs on the GPU when there is one. Deterministic for a seed.
struct NmfResult {
    int rows = 0;
    int columns = 0;
    int k = 0;
    std::vector<float> weights;  // W, rows x k   (e.g. per position: how much of each factor)
    std::vector<float>
        components;  // H, k x columns (e.g. per factor: a direction in channel space)
    std::vector<float> errorHistory;  // relative Frobenius error ||V - WH|| / ||V|| per iteration
};

NmfResult nonNegativeFactorization(const std::vector<float>& data, int rows, int columns, int k,
    int iterations = 300, std::uint64_t seed = 0, Progress* progress = nullptr);

// NMF of a layer's (post-ReLU) activations over one or more images: rows are all positions of
// all images, columns the channels. Throws loupe::Error for k larger than the number of
// channels, a non-spatial layer, or no images.
struct LayerFactors {
    std::string layer;
    int k = 0;
    int height = 0;
    int width = 0;
    int channels = 0;
    std::vector<std::vector<float>> maps;  // per image: k x height x width
    std::vector<float> components;  // k x channels
    std::vector<float> errorHistory;
};
LayerFactors factorizeLayer(Model& model, const std::vector<RgbImage>& images,
    const std::string& layer, int k, int iterations = 300, std::uint64_t seed = 0,
    Progress* progress = nullptr);

// The image (model-input view) with each factor's map in its own colour, blended by strength:
// a segmentation-like picture of what the layer groups together.
RgbImage nmfOverlay(const RgbImage& image, int inputSize, const LayerFactors& factors,
    const std::vector<float>& maps);

// The colour of factor i in overlays and legends.
std::array<unsigned char, 3> nmfFactorColour(int factor);

// Each factor's component as a feature visualization (a direction objective in the layer's
// channel space), all factors optimised as one batch; `base` gives size, steps, seed.
std::vector<RgbImage> renderFactorDirections(
    Model& model, const LayerFactors& factors, const FeatureVisConfig& base, Progress& progress);

}  // namespace loupe
