// The gradient behind a family's curve map: d/dx of half the sum of the family's squared
// activations over every position, so each position's gradient is weighted by how strongly
// the family fires there. A plain sum (the mean activation) lets the faint response of the
// whole background texture, summed over hundreds of positions, drown the few positions where
// a curve is.

#include "core/curve_extraction.h"

#include "core/error.h"
#include "core/torch/model_impl.h"
#include "core/torch/target_function.h"
#include "core/torch/tensor_image.h"

#include <torch/csrc/autograd/autograd.h>

namespace loupe {

FamilyGradient familyGradientMap(Model& model, const RgbImage& image, const std::string& layer,
    const std::vector<int>& channels, CurveMapMethod method, double smoothing)
{
    const LayerInfo& info = model.layer(layer);
    if (channels.empty())
        throw Error("the curve family of '" + info.path + "' has no channels");
    if (!info.isSpatial())
        throw Error("a curve family needs a spatial layer; '" + info.path + "' has no positions");
    AttributionTarget target;
    target.kind = AttributionTarget::Kind::Concept;
    target.layer = info.path;
    target.direction.assign(size_t(info.channels()), 0.f);
    std::vector<int64_t> family;
    for (int c : channels) {
        if (c < 0 || c >= info.channels())
            throw Error("channel " + std::to_string(c) + " is out of range for '" + info.path +
                "' (" + std::to_string(info.channels()) + " channels)");
        target.direction[size_t(c)] = 1.f;
        family.push_back(c);
    }
    try {
        auto& impl = model.impl();
        const TargetFunction f(model, target, {info.path},
            method == CurveMapMethod::GuidedBackprop ? ReluRule::GuidedBackprop : ReluRule::Plain);
        const auto input = imageToInput(image, impl.metadata.input).to(impl.device);
        auto x = input.clone().requires_grad_();
        const auto activation = f(x).extras.at(0);
        const auto index = torch::tensor(family, torch::kLong).to(activation.device());
        const auto objective = 0.5 * activation.index_select(1, index).clamp_min(0).pow(2).sum();
        auto gradient = torch::autograd::grad({objective}, {x})[0];
        if (smoothing > 0)  // signed: pixel noise alternates in sign and cancels, edges stay
            gradient = gaussianBlur(gradient, smoothing);
        gradient = gradient[0];
        const auto map = method == CurveMapMethod::GuidedBackprop ? gradient.abs().amax(0)
                                                                  : (gradient * input[0]).sum(0);
        const torch::Tensor cpu = map.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        FamilyGradient result;
        result.height = int(cpu.size(0));
        result.width = int(cpu.size(1));
        result.values.assign(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
        result.inputView = inputToImage(input[0], impl.metadata.input);
        return result;
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(std::string("cannot compute the family's curve map: ") + e.what());
    }
}

}  // namespace loupe
