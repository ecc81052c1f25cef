#include "core/weights.h"

#include "core/error.h"
#include "core/torch/model_impl.h"

namespace loupe {
namespace {

// The conv weight of `path`: its own 4-D "weight", else the only 4-D weight among its
// descendants (wrappers like ConvReLU hold one conv).
std::pair<std::string, torch::Tensor> findConvWeight(
    torch::jit::Module& root, const std::string& path)
{
    std::vector<std::pair<std::string, torch::Tensor>> found;
    for (const auto& p : root.named_parameters(/*recurse=*/true)) {
        const std::string prefix = path + ".";
        if (p.name.rfind(prefix, 0) != 0 || p.value.dim() != 4)
            continue;
        const std::string rest = p.name.substr(prefix.size());
        if (rest == "weight")
            return {p.name, p.value};
        if (rest.size() > 7 && rest.compare(rest.size() - 7, 7, ".weight") == 0)
            found.emplace_back(p.name, p.value);
    }
    if (found.size() == 1)
        return found.front();
    if (found.empty())
        throw Error("layer '" + path + "' has no convolution weight");
    throw Error("layer '" + path + "' contains " + std::to_string(found.size()) +
        " convolutions; select one of them (e.g. " +
        found.front().first.substr(0, found.front().first.size() - 7) + ")");
}

}  // namespace

LayerWeights layerWeights(Model& model, const std::string& layerName, int maxInputsPerFilter)
{
    const LayerInfo& layer = model.layer(layerName);
    auto& d = model.impl();
    const auto [name, weight] = findConvWeight(d.module, layer.path);
    torch::NoGradGuard noGrad;
    const auto w = weight.detach().to(torch::kCPU, torch::kFloat32).contiguous();

    LayerWeights out;
    out.layer = layer.path;
    out.weightPath = name;
    out.outChannels = int(w.size(0));
    out.inChannels = int(w.size(1));
    out.kernelHeight = int(w.size(2));
    out.kernelWidth = int(w.size(3));
    out.seesInput = out.inChannels == 3;

    if (out.seesInput) {
        // Each filter scaled symmetrically around grey so that colour opponency stays visible.
        for (int o = 0; o < out.outChannels; ++o) {
            auto f = w[o];
            if (d.metadata.input.bgr)
                f = f.flip({0});
            const float extent = std::max(f.abs().max().item<float>(), 1e-12f);
            const auto pixels = ((f / extent) * 127.5f + 127.5f)
                                    .clamp(0, 255)
                                    .round()
                                    .to(torch::kUInt8)
                                    .permute({1, 2, 0})
                                    .contiguous();
            RgbImage img(out.kernelWidth, out.kernelHeight);
            std::memcpy(img.pixels.data(), pixels.data_ptr<std::uint8_t>(), img.pixels.size());
            out.colourFilters.push_back(std::move(img));
        }
        return out;
    }
    const auto strengths = w.flatten(2).norm(2, {2});  // out x in
    for (int o = 0; o < out.outChannels; ++o) {
        const auto order = std::get<1>(strengths[o].sort(0, /*descending=*/true));
        std::vector<KernelSlice> slices;
        const int n = std::min<int>(maxInputsPerFilter, out.inChannels);
        for (int k = 0; k < n; ++k) {
            KernelSlice s;
            s.inputChannel = int(order[k].item<int64_t>());
            s.strength = strengths[o][s.inputChannel].item<float>();
            const auto kernel = w[o][s.inputChannel].contiguous();
            s.weights.width = out.kernelWidth;
            s.weights.height = out.kernelHeight;
            s.weights.values.assign(
                kernel.data_ptr<float>(), kernel.data_ptr<float>() + kernel.numel());
            slices.push_back(std::move(s));
        }
        out.kernels.push_back(std::move(slices));
    }
    return out;
}

LayerWeights layerWeightsIfAny(Model& model, const std::string& layerName, int maxInputsPerFilter)
{
    const LayerInfo& layer = model.layer(layerName);
    try {
        return layerWeights(model, layer.path, maxInputsPerFilter);
    } catch (const Error& e) {
        LayerWeights none;
        none.layer = layer.path;
        none.unavailable = e.what();
        return none;
    }
}

}  // namespace loupe
