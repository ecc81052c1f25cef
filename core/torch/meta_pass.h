#pragma once
// Internal: a capture run for its shapes only, on the meta device (tensors with sizes and no
// data). A model's first open needs every layer's shape; on a CPU a real forward costs about
// as much as loading the file, a meta pass a fraction of that.

#include "core/torch/capture.h"

#include <optional>

namespace loupe {

// Runs the plan on a 1x3xSxS meta input with every tensor the module holds (parameters,
// buffers, plain tensor attributes, at any depth) swapped for a meta twin, and puts the real
// tensors back before returning, also when the pass fails. The result's tensors are meta
// (sizes only). Nullopt when the model cannot run without data: an op with no meta kernel,
// control flow on values, a tensor constant in the graph, or a shape error — the caller then
// runs a real forward, which also gives the error in its own words.
std::optional<CaptureResult> runCaptureOnMeta(
    torch::jit::Module& root, const CapturePlan& plan, int inputSize);

}  // namespace loupe
