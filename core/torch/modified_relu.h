#pragma once
// Internal: a copy of a model's forward whose ReLUs use a modified backward rule, for guided
// backpropagation (Springenberg et al.) and deconvnet (Zeiler & Fergus).

#include <torch/script.h>

#include <string>

namespace loupe {

enum class ReluRule { GuidedBackprop, Deconvnet };

// Adds (once per rule) a method to the root module's type: forward, fully inlined, with every
// aten::relu / relu_ replaced by loupe::guided_relu or loupe::deconv_relu. Those are custom
// ops with their own autograd: the forward is a ReLU; the backward passes
//   guided:    grad * (x > 0) * (grad > 0)
//   deconvnet: relu(grad)          (the ReLU of the backward signal, ignoring x)
// Returns the method's name. Throws loupe::Error when the model has no ReLU to modify.
std::string modifiedReluMethod(torch::jit::Module& root, ReluRule rule);

} // namespace loupe
