// Decision explanation: channel contributions to a logit by activation x gradient at one layer
// (one forward, one backward to the layer), and the bias path by the patched forward with the
// layer's output zeroed (core/torch/capture.h), which decides whether the sum is exact.

#include "core/decision.h"

#include "core/error.h"
#include "core/input_geometry.h"
#include "core/torch/capture.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <cmath>

namespace loupe {

FloatMap DecisionExplanation::mapOf(int channel) const
{
    FloatMap m;
    m.width = mapWidth;
    m.height = mapHeight;
    const size_t n = size_t(mapWidth) * size_t(mapHeight);
    m.values.assign(maps.begin() + std::ptrdiff_t(size_t(channel) * n),
        maps.begin() + std::ptrdiff_t(size_t(channel + 1) * n));
    return m;
}

DecisionExplanation explainDecision(
    Model& model, const RgbImage& image, const std::string& layerName, int classA, int classB)
{
    auto& d = model.impl();
    const int classes = model.numClasses();
    if (classes <= 0)
        throw Error("this model has no class output to explain");
    for (int c : {classA, classB})
        if (c >= classes || (c < 0 && c != classB))
            throw Error("class " + std::to_string(c) + " is out of range (the model has " +
                std::to_string(classes) + " classes)");
    if (classA == classB)
        throw Error("choose two different classes to compare");
    const LayerInfo& layer = model.layer(layerName);
    if (!layer.addressable)
        throw Error("layer '" + layer.path + "' cannot be captured: " + layer.note);

    DecisionExplanation out;
    out.layer = layer.path;
    out.classA = classA;
    out.classB = classB;
    out.labelA = model.classLabel(classA);
    out.labelB = classB >= 0 ? model.classLabel(classB) : std::string();
    out.inputView = resizeAndCenterCrop(image, d.metadata.input.size);
    const auto score = [&](const torch::Tensor& logits) {
        return classB >= 0 ? logits.select(1, classA) - logits.select(1, classB)
                           : logits.select(1, classA);
    };
    try {
        const auto input = imageToInput(image, d.metadata.input).to(d.device).requires_grad_();
        const auto& plan = d.captures.plan(d.module, {{layer.path, false}}, true);
        const CaptureResult captured = runCapture(d.module, plan, input);
        const auto A = captured.activations.at(0);
        const auto target = score(captured.modelOutput.reshape({1, -1}));
        const auto G = torch::autograd::grad({target.sum()}, {A}, {}, false, false, true)[0];
        if (!G.defined())
            throw Error("layer '" + layer.path + "' does not lead to the model's output");
        const auto product = (A.detach() * G)[0].to(torch::kCPU, torch::kFloat32).contiguous();
        const auto activation = A.detach()[0].to(torch::kCPU, torch::kFloat32);
        const int64_t channels = product.size(0);
        const auto flat = product.view({channels, -1});
        const auto sums = flat.to(torch::kFloat64).sum(1).contiguous();
        const auto means = activation.reshape({channels, -1}).mean(1).contiguous();
        out.mapHeight = product.dim() == 3 ? int(product.size(1)) : 1;
        out.mapWidth = product.dim() == 3 ? int(product.size(2)) : 1;
        out.maps.assign(product.data_ptr<float>(), product.data_ptr<float>() + product.numel());
        out.logit = target.item<double>();
        double absolute = 0;
        for (int64_t c = 0; c < channels; ++c) {
            ChannelContribution cc;
            cc.channel = int(c);
            cc.contribution = sums.data_ptr<double>()[c];
            cc.activation = means.data_ptr<float>()[c];
            out.explained += cc.contribution;
            absolute += std::abs(cc.contribution);
            out.channels.push_back(cc);
        }
        for (auto& cc : out.channels)
            cc.share = absolute > 0 ? cc.contribution / absolute : 0;
        std::stable_sort(out.channels.begin(), out.channels.end(),
            [](const auto& a, const auto& b) { return a.contribution > b.contribution; });

        // The bias path: the model with the layer's output zeroed.
        torch::NoGradGuard noGrad;
        const auto& patch = d.captures.patch(d.module, layer.path);
        const auto zeroed =
            runPatch(d.module, patch, input.detach(), torch::zeros_like(A.detach()));
        out.biasPath = score(zeroed.reshape({1, -1})).item<double>();
        const double gap = std::abs(out.logit - out.biasPath - out.explained);
        out.linearPath = gap <= 1e-4 * std::max(1.0, std::abs(out.logit) + absolute);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("explaining the decision failed: " + firstLine(e.what()));
    }
    return out;
}

}  // namespace loupe
