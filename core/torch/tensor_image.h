#pragma once
// Internal: RgbImage <-> model input tensor, following the model's InputSpec. The single
// place that knows about colour order, value range and mean/std.

#include <torch/script.h>

#include "core/image.h"
#include "core/model_metadata.h"

namespace loupe {

// Resizes the shorter side to spec.size and centre-crops, then normalises. 1x3xSxS float, CPU.
torch::Tensor imageToInput(const RgbImage& image, const InputSpec& spec);

// Undoes the normalisation of one 3xHxW input tensor and clamps to 8-bit RGB.
RgbImage inputToImage(const torch::Tensor& input, const InputSpec& spec);

} // namespace loupe
