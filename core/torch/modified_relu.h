#pragma once
// Internal: ReLUs with a modified backward rule, for guided backpropagation (Springenberg et
// al.) and deconvnet (Zeiler & Fergus). The capture plans apply them to their own graph, so
// every target (class, unit, layer) and every graph cut works with them the same way.

#include <torch/script.h>

namespace loupe {

enum class ReluRule { Plain, GuidedBackprop, Deconvnet };

// Inlines every remaining call in `graph` (the ReLUs live inside submodules' forwards) and
// replaces each aten::relu / relu_ with loupe::guided_relu or loupe::deconv_relu. Those are
// custom ops with their own autograd: the forward is a ReLU; the backward passes
//   guided:    grad * (x > 0) * (grad > 0)
//   deconvnet: relu(grad)          (the ReLU of the backward signal, ignoring x)
// Returns how many ReLUs were replaced. Plain leaves the graph alone and returns 0.
int applyReluRule(torch::jit::Graph& graph, ReluRule rule);

}  // namespace loupe
