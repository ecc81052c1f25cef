#pragma once
// Internal: what occlusion maps share — the occluder's fill and the grid of its positions.

#include <torch/script.h>

#include "core/attribution.h"
#include "core/model_metadata.h"

#include <utility>
#include <vector>

namespace loupe {

// The input under a 31-pixel box blur (occlusion fill, integrated-gradients baseline).
torch::Tensor blurredInput(const torch::Tensor& input);

// The fill of the occluder for the whole input (normalised input space), 1x3xSxS.
torch::Tensor occlusionFill(
    const torch::Tensor& input, const InputSpec& spec, AttributionConfig::Fill fill);

// Top-left corners of every patch position, row by row. Throws when the patch does not fit.
std::vector<std::pair<int, int>> occlusionPositions(int size, int patch, int stride);

// `input` repeated for positions [begin, end), each with its patch replaced by the fill.
torch::Tensor occludedBatch(const torch::Tensor& input, const torch::Tensor& fill,
    const std::vector<std::pair<int, int>>& positions, size_t begin, size_t end, int patch);

}  // namespace loupe
