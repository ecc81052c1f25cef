#pragma once
// Internal: RgbImage <-> model input tensor, following the model's InputSpec. The single
// place that knows about colour order, value range and mean/std: everything else speaks RGB in
// [0, 1] (feature-vis images, baselines, fills, random inputs) and converts here.

#include <torch/script.h>

#include "core/image.h"
#include "core/model_metadata.h"

namespace loupe {

// Bx3xHxW RGB in [0, 1] -> what the model expects (colour order, range, mean/std), on the
// tensor's own device and dtype; differentiable.
torch::Tensor rgbToModelInput(const torch::Tensor& rgb, const InputSpec& spec);
// The inverse: model input -> RGB in [0, 1] (not clamped).
torch::Tensor modelInputToRgb(const torch::Tensor& input, const InputSpec& spec);

// Resizes the shorter side to spec.size and centre-crops, then normalises. 1x3xSxS float, CPU.
torch::Tensor imageToInput(const RgbImage& image, const InputSpec& spec);

// Undoes the normalisation of one 3xHxW (or 1x3xHxW) input tensor and clamps to 8-bit RGB.
RgbImage inputToImage(const torch::Tensor& input, const InputSpec& spec);

// An 8-bit image as a 1x3xHxW float tensor in [0, 1] (CPU), and back: Bx3xHxW in [0, 1],
// rounded and clamped to 8 bits, one image per batch entry.
torch::Tensor rgbTensor(const RgbImage& image);
std::vector<RgbImage> rgbImages(const torch::Tensor& images);

// Depthwise blurs with replication padding, the same for every channel: a k x k box (occlusion
// fill, integrated-gradients baseline), the 3 x 3 binomial (feature-vis upscaling) and a
// Gaussian of `sigma` pixels, 3 sigma each side (curve maps, spline-tracing fields).
torch::Tensor boxBlur(const torch::Tensor& images, int k);
torch::Tensor binomialBlur(const torch::Tensor& images);
torch::Tensor gaussianBlur(const torch::Tensor& images, double sigma);

}  // namespace loupe
