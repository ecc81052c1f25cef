// Attribution methods on LibTorch autograd (Simonyan et al. saliency; gradient x input;
// SmoothGrad, Smilkov et al.; integrated gradients, Sundararajan et al.; Grad-CAM, Selvaraju
// et al., and Grad-CAM++, Chattopadhyay et al.; occlusion, Zeiler & Fergus; FullGrad, Srinivas
// & Fleuret). All work in the
// model's normalised input space; maps are over the model-input view of the image.

#include "core/attribution.h"

#include "core/attribution_methods.h"
#include "core/error.h"
#include "core/input_geometry.h"
#include "core/lime.h"
#include "core/synthetic_shapes.h"
#include "core/torch/model_impl.h"
#include "core/torch/modified_relu.h"
#include "core/torch/occlusion_fill.h"
#include "core/torch/random.h"
#include "core/torch/target_function.h"
#include "core/torch/tensor_image.h"
#include "core/unit_id.h"

#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <map>

namespace loupe {
namespace {

torch::Tensor gradientOf(
    const TargetFunction& f, const torch::Tensor& inputs, torch::Tensor* values = nullptr)
{
    auto x = inputs.detach().clone().requires_grad_();
    const auto out = f(x);
    if (values)
        *values = out.value.detach();
    return torch::autograd::grad({out.value.sum()}, {x})[0];
}

AttributionMap toMap(const torch::Tensor& map2d, bool isSigned)
{
    const auto m = map2d.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    AttributionMap out;
    out.height = int(m.size(0));
    out.width = int(m.size(1));
    out.values.assign(m.data_ptr<float>(), m.data_ptr<float>() + m.numel());
    out.isSigned = isSigned;
    return out;
}

torch::Tensor baselineFor(const torch::Tensor& input, const InputSpec& spec,
    AttributionConfig::Baseline kind, std::uint64_t seed)
{
    switch (kind) {
    case AttributionConfig::Baseline::Black: return rgbToModelInput(torch::zeros_like(input), spec);
    case AttributionConfig::Baseline::Noise: {
        auto generator = seededGenerator(seed);
        return rgbToModelInput(uniform(input.sizes(), generator, input.options()), spec);
    }
    case AttributionConfig::Baseline::Blur:
    default: return blurredInput(input);
    }
}

// A layer whose output carries a bias FullGrad attributes to: a convolution or linear layer with
// a bias, or a batch norm (its effective bias beta - mean * gamma / sqrt(var + eps)).
struct BiasLayer {
    std::string path;
    torch::Tensor bias;  // (C)
};

std::vector<BiasLayer> biasLayers(Model& model)
{
    auto& d = model.impl();
    std::map<std::string, torch::Tensor> parameters, buffers;
    for (const auto& p : d.module.named_parameters(true))
        parameters[p.name] = p.value.detach();
    for (const auto& b : d.module.named_buffers(true))
        buffers[b.name] = b.value.detach();
    std::map<std::string, double> epsilons;  // batch norms' eps attribute, by module path
    for (const auto& m : d.module.named_modules())
        if (m.value.hasattr("eps") && m.value.attr("eps").isDouble())
            epsilons[m.name] = m.value.attr("eps").toDouble();
    std::vector<BiasLayer> out;
    for (const LayerInfo& layer : model.layers()) {
        if (!layer.addressable || layer.shape.empty())
            continue;
        const auto bias = parameters.find(layer.path + ".bias");
        const auto weight = parameters.find(layer.path + ".weight");
        if (bias == parameters.end() || weight == parameters.end() || bias->second.dim() != 1 ||
            bias->second.size(0) != layer.channels())
            continue;
        const auto mean = buffers.find(layer.path + ".running_mean"),
                   var = buffers.find(layer.path + ".running_var");
        if (mean != buffers.end() && var != buffers.end()) {
            const double eps = epsilons.count(layer.path) ? epsilons[layer.path] : 1e-5;
            out.push_back({layer.path,
                bias->second - mean->second * weight->second / torch::sqrt(var->second + eps)});
        } else if (weight->second.dim() == 4 || weight->second.dim() == 2) {
            out.push_back({layer.path, bias->second});
        }
    }
    return out;
}

// FullGrad's post-processing: absolute value, min-max normalised over the whole tensor.
torch::Tensor normalisedMagnitude(const torch::Tensor& t)
{
    auto a = t.abs();
    const auto lo = a.min(), hi = a.max();
    return (a - lo) / (hi - lo).clamp_min(1e-12);
}

}  // namespace

AttributionTarget AttributionTarget::parse(const std::string& text)
{
    AttributionTarget t;
    const auto colon = text.find(':');
    const std::string kind = colon == std::string::npos ? text : text.substr(0, colon);
    const std::string rest = colon == std::string::npos ? std::string() : text.substr(colon + 1);
    const auto index = [&](const std::string& s) {
        try {
            size_t used = 0;
            const int v = std::stoi(s, &used);
            if (used == s.size() && v >= 0)
                return v;
        } catch (...) {
        }
        throw Error("invalid class index in target '" + text + "'");
    };
    if (kind == "class" || kind == "logit") {
        t.kind = Kind::Logit;
        t.index = index(rest);
    } else if (kind == "prob" || kind == "probability") {
        t.kind = Kind::Probability;
        t.index = index(rest);
    } else if (kind == "unit") {
        const UnitId unit = UnitId::parse(rest);
        if (!unit.hasChannel())
            throw Error("a unit target is unit:LAYER:CHANNEL[@x,y]");
        t.kind = Kind::Unit;
        t.layer = unit.layer;
        t.index = unit.channel;
        t.x = unit.x;
        t.y = unit.y;
    } else if (kind == "layer") {
        if (rest.empty())
            throw Error("a layer target is layer:LAYER");
        t.kind = Kind::Layer;
        t.layer = rest;
    } else if (kind == "concept") {
        const auto last = rest.rfind(':');
        if (last == std::string::npos || last == 0)
            throw Error("a concept target is concept:LAYER:INDEX");
        t.kind = Kind::Concept;
        t.layer = rest.substr(0, last);
        t.index = index(rest.substr(last + 1));
    } else {
        throw Error("unknown target '" + text +
            "' (class:N, prob:N, unit:L:C[@x,y], layer:L or concept:L:N)");
    }
    return t;
}

std::string AttributionTarget::toString() const
{
    switch (kind) {
    case Kind::Logit: return "class:" + std::to_string(index);
    case Kind::Probability: return "prob:" + std::to_string(index);
    case Kind::Layer: return "layer:" + layer;
    case Kind::Concept: return "concept:" + layer + ":" + std::to_string(index);
    default: {
        UnitId u;
        u.layer = layer;
        u.channel = index;
        u.x = x;
        u.y = y;
        return "unit:" + u.toString();
    }
    }
}

AttributionMap attribute(Model& model, const RgbImage& image, const AttributionConfig& config,
    Progress& progress, const std::function<void(const AttributionMap&)>& partial)
{
    auto& d = model.impl();
    const InputSpec& spec = d.metadata.input;
    const bool cam = config.method == AttributionMethod::GradCam ||
        config.method == AttributionMethod::GradCamPlusPlus;
    if (cam && config.layer.empty())
        throw Error("Grad-CAM needs a layer (--layer)");
    std::vector<std::string> extras;
    std::vector<BiasLayer> biases;
    if (cam) {
        if (!model.layer(config.layer).isSpatial())
            throw Error("Grad-CAM needs a spatial layer; '" + model.layer(config.layer).path +
                "' has no spatial extent");
        extras.push_back(config.layer);
    } else if (config.method == AttributionMethod::FullGrad) {
        biases = biasLayers(model);
        for (const auto& b : biases)
            extras.push_back(b.path);
    }
    const ReluRule reluRule = config.method == AttributionMethod::GuidedBackprop
        ? ReluRule::GuidedBackprop
        : config.method == AttributionMethod::Deconvnet ? ReluRule::Deconvnet
                                                        : ReluRule::Plain;
    TargetFunction f(model, config.target, extras, reluRule);
    const auto input = imageToInput(image, spec).to(d.device);
    const int size = spec.size;
    int batch = std::max(1, config.batch);  // halves on out-of-memory (forEachShrinkingBatch)
    AttributionMap result;
    try {
        torch::Tensor value;
        switch (config.method) {
        case AttributionMethod::Saliency: {
            const auto g = gradientOf(f, input, &value);
            result = toMap(g[0].abs().amax(0), false);
            break;
        }
        case AttributionMethod::InputTimesGradient: {
            const auto g = gradientOf(f, input, &value);
            result = toMap((g[0] * input[0]).sum(0), true);
            break;
        }
        case AttributionMethod::SmoothGrad: {
            const float sigma = config.noise * (input.max() - input.min()).item<float>();
            auto generator = seededGenerator(config.seed);
            auto sum = torch::zeros_like(input[0]);
            forEachShrinkingBatch(config.samples, batch, [&](int done, int n) {
                progress.checkCancelled();
                const auto noisy = input.expand({n, -1, -1, -1}) +
                    normal({n, 3, size, size}, generator, input.options()) * sigma;
                sum += gradientOf(f, noisy).sum(0);
                progress.report(double(done + n) / config.samples,
                    "SmoothGrad samples " + std::to_string(done + n));
            });
            value = f(input).value.detach();
            result = toMap((sum / config.samples).abs().amax(0), false);
            break;
        }
        case AttributionMethod::IntegratedGradients: {
            const auto base = baselineFor(input, spec, config.baseline, config.seed);
            auto total = torch::zeros_like(input[0]);
            const int steps = std::max(1, config.steps);
            forEachShrinkingBatch(steps, batch, [&](int done, int n) {
                progress.checkCancelled();
                // Midpoint Riemann sum: alphas (k + 0.5) / steps.
                const auto alphas = (torch::arange(done, done + n, input.options()) + 0.5) / steps;
                const auto path = base + alphas.view({n, 1, 1, 1}) * (input - base);
                total += gradientOf(f, path).sum(0);
                progress.report(double(done + n) / steps,
                    "integrated gradients step " + std::to_string(done + n));
            });
            const auto attribution = (input[0] - base[0]) * total / steps;
            value = f(input).value.detach();
            result = toMap(attribution.sum(0), true);
            result.baselineValue = f(base).value.detach().item<float>();
            break;
        }
        case AttributionMethod::GradCam:
        case AttributionMethod::GradCamPlusPlus: {
            auto x = input.detach().clone().requires_grad_();
            const auto out = f(x);
            value = out.value.detach();
            const auto A = out.extras.at(0);
            const auto g = torch::autograd::grad({out.value.sum()}, {A}, {}, false, false, true)[0];
            if (!g.defined())  // the layer lies after the target unit: nothing flows back to it
                throw Error("Grad-CAM's layer '" + model.layer(config.layer).path +
                    "' does not lead to the target " + config.target.toString() +
                    ": choose a layer at or before the target's layer");
            torch::Tensor weights;
            if (config.method == AttributionMethod::GradCam) {
                weights = g.mean(c10::IntArrayRef{2, 3}, true);
            } else {
                const auto g2 = g.pow(2), g3 = g.pow(3);
                const auto denominator = 2 * g2 + A.sum(c10::IntArrayRef{2, 3}, true) * g3;
                const auto alpha =
                    g2 / torch::where(denominator != 0, denominator, torch::ones_like(denominator));
                weights = (alpha * torch::relu(g)).sum(c10::IntArrayRef{2, 3}, true);
            }
            auto camMap = torch::relu((weights * A).sum(1, true));
            camMap = at::upsample_bilinear2d(camMap.detach(), {size, size}, false);
            result = toMap(camMap[0][0], false);
            break;
        }
        case AttributionMethod::FullGrad: {
            auto x = input.detach().clone().requires_grad_();
            const auto out = f(x);
            value = out.value.detach();
            std::vector<torch::Tensor> wrt{x};
            wrt.insert(wrt.end(), out.extras.begin(), out.extras.end());
            // Layers the target does not depend on (e.g. after a unit target) get no gradient.
            const auto grads =
                torch::autograd::grad({out.value.sum()}, wrt, {}, false, false, true);
            const auto inputTerm = grads[0] * x.detach();
            double explained = inputTerm.sum().item<double>();
            auto saliency = normalisedMagnitude(inputTerm).sum(1, true);
            for (size_t i = 0; i < biases.size(); ++i) {
                const auto& g = grads[i + 1];
                if (!g.defined())
                    continue;
                const auto shape =
                    g.dim() == 4 ? std::vector<int64_t>{1, -1, 1, 1} : std::vector<int64_t>{1, -1};
                const auto term = g * biases[i].bias.to(g.device(), g.scalar_type()).view(shape);
                explained += term.sum().item<double>();
                if (g.dim() != 4)
                    continue;  // a classifier's bias has no spatial map; it only counts for completeness
                ++result.biasLayers;
                saliency += at::upsample_bilinear2d(
                    normalisedMagnitude(term).sum(1, true), {size, size}, false);
            }
            const int layers = result.biasLayers;
            result = toMap(saliency[0][0], false);
            result.explainedValue = float(explained);
            result.biasLayers = layers;
            break;
        }
        case AttributionMethod::GuidedBackprop:
        case AttributionMethod::Deconvnet: {
            // The rule changes only the backward pass; the target picks where it starts, so a
            // unit is as well defined as a class (how both papers showed intermediate units).
            if (!config.target.isInternal() && f.modifiedRelus() == 0)
                throw Error("this model has no ReLU (aten::relu) in its forward, so guided "
                            "backprop / deconvnet do not apply");
            const auto g = gradientOf(f, input, &value);
            result = toMap(g[0].abs().amax(0), false);
            break;
        }
        case AttributionMethod::Occlusion: {
            const auto positions = occlusionPositions(size, config.patch, config.stride);
            torch::NoGradGuard noGrad;
            value = f(input).value;
            const float reference = value.item<float>();
            const auto fill = occlusionFill(input, spec, config.fill);
            auto sum = torch::zeros({size, size});
            auto count = torch::zeros({size, size});
            const RgbImage view = partial ? resizeAndCenterCrop(image, size) : RgbImage();
            forEachShrinkingBatch(int(positions.size()), batch, [&](int first, int n) {
                progress.checkCancelled();
                const size_t start = size_t(first), end = start + size_t(n);
                const auto occluded =
                    occludedBatch(input, fill, positions, start, end, config.patch);
                const auto drops = (reference - f(occluded).value).to(torch::kCPU);
                for (size_t i = start; i < end; ++i) {
                    const auto [x, y] = positions[i];
                    using torch::indexing::Slice;
                    sum.index({Slice(y, y + config.patch), Slice(x, x + config.patch)}) +=
                        drops[int64_t(i - start)];
                    count.index({Slice(y, y + config.patch), Slice(x, x + config.patch)}) += 1;
                }
                progress.report(double(end) / positions.size(),
                    "occlusion " + std::to_string(end) + "/" + std::to_string(positions.size()));
                if (partial) {
                    AttributionMap p = toMap(sum / count.clamp_min(1), true);
                    p.targetValue = reference;
                    p.inputView = view;
                    partial(p);
                }
            });
            result = toMap(sum / count.clamp_min(1), true);
            break;
        }
        case AttributionMethod::Lime: {
            const LimeExplanation lime = explainWithLime(model, image, config, progress);
            result = lime.map();
            value = torch::tensor(lime.targetValue);
            break;
        }
        }
        result.targetValue = value.numel() ? value.sum().item<float>() : 0.f;
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("attribution failed: " + firstLine(e.what()));
    }
    result.inputView = resizeAndCenterCrop(image, size);
    return result;
}

}  // namespace loupe
