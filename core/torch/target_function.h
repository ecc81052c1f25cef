#pragma once
// Internal: an attribution target (class logit or probability, unit, layer) as a function of a
// batch of model inputs, shared by the attribution methods and the measures of their maps.

#include <torch/script.h>

#include "core/attribution.h"
#include "core/torch/capture.h"

#include <string>
#include <vector>

namespace loupe {

// Evaluates the target for a batch of inputs (B), optionally also returning captured layers.
// The capture plan is compiled once per model (CaptureCache) and reused by every call.
class TargetFunction {
public:
    // Throws loupe::Error for a target the model cannot give (class out of range, a layer that
    // cannot be captured, a position outside the layer).
    TargetFunction(Model& model, const AttributionTarget& target,
        const std::vector<std::string>& extraLayers = {}, ReluRule reluRule = ReluRule::Plain);

    // ReLUs on the way from the input to the target whose backward rule was changed.
    int modifiedRelus() const { return plan_->modifiedRelus; }

    struct Output {
        torch::Tensor value;  // (B)
        std::vector<torch::Tensor> extras;  // captured extra layers, in order
    };
    Output operator()(const torch::Tensor& input) const;

private:
    Model& model_;
    AttributionTarget target_;
    std::vector<CaptureRequest> requests_;
    int extraIndex_ = 0;
    const CapturePlan* plan_ = nullptr;
};

}  // namespace loupe
