#include "core/circuit.h"

#include "core/error.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

#include <torch/csrc/autograd/autograd.h>

#include <cmath>

namespace loupe {
namespace {

// The path of the convolution module itself: `layer`, or its only descendant with a 4-D weight.
std::pair<std::string, torch::Tensor> convolutionOf(
    torch::jit::Module& root, const std::string& layer)
{
    std::vector<std::pair<std::string, torch::Tensor>> found;
    for (const auto& p : root.named_parameters(true)) {
        if (p.value.dim() != 4 || p.name.rfind(layer + ".", 0) != 0)
            continue;
        if (p.name == layer + ".weight")
            return {layer, p.value};
        found.emplace_back(p.name.substr(0, p.name.size() - 7), p.value);
    }
    if (found.size() != 1)
        throw Error("layer '" + layer +
            "' is not a single convolution (select a conv layer, e.g. '" + layer + ".conv')");
    return found.front();
}

torch::Tensor biasOf(torch::jit::Module& root, const std::string& conv, int64_t channels)
{
    for (const auto& p : root.named_parameters(true))
        if (p.name == conv + ".bias")
            return p.value.detach().to(torch::kCPU, torch::kFloat32);
    return torch::zeros({channels});
}

FloatMap toFloatMap(const torch::Tensor& t)
{
    const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    FloatMap m;
    m.height = int(c.size(0));
    m.width = int(c.size(1));
    m.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return m;
}

// The layer whose output the convolution reads, found by value: of the addressable layers with
// the input's shape, the ones whose output on this image equals the captured input exactly;
// the shortest path among them (the block the layer browser shows, not its inner ReLU). Empty
// when none does (e.g. the input is a functional op's result). With it the input channels can
// be shown as what they are (their feature visualizations).
std::string producerOfInput(Model& model, const std::string& conv, const torch::Tensor& modelInput,
    const torch::Tensor& convInput)
{
    auto& d = model.impl();
    std::vector<CaptureRequest> candidates;
    for (const auto& layer : model.layers())
        if (layer.addressable && layer.path != conv && layer.isSpatial() &&
            layer.shape[0] == convInput.size(1) && layer.shape[1] == convInput.size(2) &&
            layer.shape[2] == convInput.size(3))
            candidates.push_back({layer.path, false});
    if (candidates.empty())
        return {};
    std::string best;
    try {
        const auto captured =
            runCapture(d.module, d.captures.plan(d.module, candidates, false), modelInput);
        const auto target = convInput.to(torch::kCPU, torch::kFloat32);
        for (size_t i = 0; i < candidates.size(); ++i) {
            const auto value = captured.activations[i].to(torch::kCPU, torch::kFloat32);
            const bool same =
                value.sizes() == target.sizes() && torch::allclose(value, target, 1e-5, 1e-6);
            if (same && (best.empty() || candidates[i].layer.size() < best.size()))
                best = candidates[i].layer;
        }
    } catch (const std::exception&) {
        return {};  // a candidate the capture cannot serve: show channel numbers only
    }
    return best;
}

}  // namespace

CircuitResult circuitContributions(Model& model, const RgbImage& image,
    const std::string& layerName, int channel, int x, int y, int k)
{
    auto& d = model.impl();
    const std::string layer = model.layer(layerName).path;
    const auto [conv, weightParameter] = convolutionOf(d.module, layer);
    const auto weight = weightParameter.detach().to(torch::kCPU, torch::kFloat32);
    const int64_t cout = weight.size(0), cin = weight.size(1), kh = weight.size(2),
                  kw = weight.size(3);
    if (channel < 0 || channel >= cout)
        throw Error("channel " + std::to_string(channel) + " is out of range: '" + conv + "' has " +
            std::to_string(cout) + " filters");

    torch::NoGradGuard noGrad;
    const auto& plan =
        d.captures.plan(d.module, {{conv, false, true}, {conv, false, false}}, false);
    const auto modelInput = imageToInput(image, d.metadata.input).to(d.device);
    const auto captured = runCapture(d.module, plan, modelInput);
    const auto input = captured.activations[0].to(torch::kCPU, torch::kFloat32);
    const auto output = captured.activations[1].to(torch::kCPU, torch::kFloat32);
    if (input.dim() != 4 || output.dim() != 4)
        throw Error("'" + conv + "' does not map a feature map to a feature map");
    if (input.size(1) != cin)
        throw Error("'" + conv + "' is a grouped convolution (" + std::to_string(input.size(1)) +
            " input channels, " + std::to_string(cin) + " per filter); not supported");
    const int64_t hin = input.size(2), win = input.size(3), hout = output.size(2),
                  wout = output.size(3);
    const auto bias = biasOf(d.module, conv, cout);

    CircuitResult r;
    r.layer = conv;
    r.channel = channel;
    r.x = x >= 0 ? std::min<int>(x, int(wout) - 1) : int(wout / 2);
    r.y = y >= 0 ? std::min<int>(y, int(hout) - 1) : int(hout / 2);
    r.bias = bias[channel].item<float>();
    r.check = output[0][channel][r.y][r.x].item<float>();

    // Stride and padding: the (smallest) combination that reproduces both the output size and
    // the captured value at the unit.
    const auto w = weight[channel];  // cin x kh x kw
    for (int stride = 1; stride <= 4 && r.contributions.empty(); ++stride) {
        for (int padding = 0; padding <= int(std::max(kh, kw)); ++padding) {
            if ((hin + 2 * padding - kh) / stride + 1 != hout ||
                (win + 2 * padding - kw) / stride + 1 != wout)
                continue;
            const auto padded =
                torch::constant_pad_nd(input[0], {padding, padding, padding, padding}, 0);
            const auto window = padded.slice(1, r.y * stride, r.y * stride + kh)
                                    .slice(2, r.x * stride, r.x * stride + kw);
            const auto perChannel = (window * w).sum(c10::IntArrayRef{1, 2});
            const float total = perChannel.sum().item<float>() + r.bias;
            if (std::abs(total - r.check) > 1e-3f * std::max(1.f, std::abs(r.check)))
                continue;
            r.stride = stride;
            r.padding = padding;
            r.preActivation = total;
            const auto order = std::get<1>(perChannel.abs().sort(0, true));
            const int n = int(std::min<int64_t>(k, cin));
            for (int i = 0; i < n; ++i) {
                CircuitContribution c;
                c.inputChannel = int(order[i].item<int64_t>());
                c.contribution = perChannel[c.inputChannel].item<float>();
                c.kernel = toFloatMap(w[c.inputChannel]);
                c.map = toFloatMap(torch::conv2d(input.select(1, c.inputChannel).unsqueeze(1),
                    w[c.inputChannel].view({1, 1, kh, kw}), {}, stride, padding)[0][0]);
                r.contributions.push_back(std::move(c));
            }
            break;
        }
    }
    if (r.contributions.empty())
        throw Error("could not reproduce '" + conv +
            "' as a plain convolution (dilation or unusual padding?)");
    r.inputLayer = producerOfInput(model, conv, modelInput, input);
    return r;
}

CircuitResult circuitByGradient(Model& model, const RgbImage& image, const std::string& layerName,
    int channel, int x, int y, const std::string& inputLayerName, int k)
{
    auto& d = model.impl();
    const LayerInfo& layer = model.layer(layerName);
    const LayerInfo& input = model.layer(inputLayerName);
    if (!layer.isSpatial() || !input.isSpatial())
        throw Error("gradient x activation circuits need two spatial layers");
    if (channel < 0 || channel >= layer.channels())
        throw Error(
            "channel " + std::to_string(channel) + " is out of range for '" + layer.path + "'");
    CircuitResult r;
    r.exact = false;
    r.layer = layer.path;
    r.inputLayer = input.path;
    r.channel = channel;
    r.x = x >= 0 ? std::min<int>(x, int(layer.shape[2]) - 1) : int(layer.shape[2] / 2);
    r.y = y >= 0 ? std::min<int>(y, int(layer.shape[1]) - 1) : int(layer.shape[1] / 2);
    try {
        const auto& plan =
            d.captures.plan(d.module, {{input.path, false}, {layer.path, true}}, false);
        const auto x0 = imageToInput(image, d.metadata.input).to(d.device).requires_grad_();
        const auto captured = runCapture(d.module, plan, x0);
        const auto unit = captured.activations[1][0][channel][r.y][r.x];
        const auto grads =
            torch::autograd::grad({unit}, {captured.activations[0]}, {}, false, false, true);
        if (!grads[0].defined())
            throw Error(
                "'" + input.path + "' does not feed '" + layer.path + "': choose an earlier layer");
        const auto product =
            (grads[0] * captured.activations[0]).detach()[0].to(torch::kCPU, torch::kFloat32);
        const auto perChannel = product.sum(c10::IntArrayRef{1, 2});
        r.preActivation = perChannel.sum().item<float>();
        r.check = unit.detach().item<float>();
        const auto order = std::get<1>(perChannel.abs().sort(0, true));
        for (int i = 0; i < int(std::min<int64_t>(k, perChannel.size(0))); ++i) {
            CircuitContribution c;
            c.inputChannel = int(order[i].item<int64_t>());
            c.contribution = perChannel[c.inputChannel].item<float>();
            c.map = toFloatMap(product[c.inputChannel]);
            r.contributions.push_back(std::move(c));
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("circuit failed: " + firstLine(e.what()));
    }
    return r;
}

}  // namespace loupe
