#include "core/activations.h"

#include "core/error.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

namespace loupe {

FloatMap LayerActivations::channelMap(int channel) const
{
    FloatMap map;
    map.width = width;
    map.height = height;
    const auto begin = values.begin() + std::ptrdiff_t(channel) * width * height;
    map.values.assign(begin, begin + std::ptrdiff_t(width) * height);
    return map;
}

int LayerActivations::deadCount() const
{
    return int(std::count(dead.begin(), dead.end(), true));
}

LayerActivations computeActivations(
    Model& model, const RgbImage& image, const std::string& layerName, bool preRelu, int topK)
{
    const LayerInfo& layer = model.layer(layerName);
    if (!layer.addressable)
        throw Error("layer '" + layer.path + "' cannot be captured: " + layer.note);
    auto& d = model.impl();
    try {
        c10::InferenceMode inference;
        const auto input = imageToInput(image, d.metadata.input).to(d.device);
        const bool withOutput = d.numClasses > 0 && topK > 0;
        const auto& plan = d.captures.plan(d.module, {{layer.path, preRelu}}, withOutput);
        const auto result = runCapture(d.module, plan, input);

        auto act = result.activations.at(0)[0].to(torch::kCPU, torch::kFloat32);
        if (act.dim() == 1)
            act = act.view({act.size(0), 1, 1});
        if (act.dim() != 3)
            throw Error("layer '" + layer.path + "' has a " + std::to_string(act.dim() + 1) +
                "-D output; only feature maps (NxCxHxW) and vectors (NxC) are shown");
        act = act.contiguous();
        LayerActivations out;
        out.layer = layer.path;
        out.preRelu = preRelu;
        out.channels = int(act.size(0));
        out.height = int(act.size(1));
        out.width = int(act.size(2));
        out.values.assign(act.data_ptr<float>(), act.data_ptr<float>() + act.numel());
        const auto flat = act.view({out.channels, -1});
        const auto mean = flat.mean(1);
        const auto max = std::get<0>(flat.max(1));
        const auto dead = (flat != 0).sum(1) == 0;
        for (int c = 0; c < out.channels; ++c) {
            out.channelMean.push_back(mean[c].item<float>());
            out.channelMax.push_back(max[c].item<float>());
            out.dead.push_back(dead[c].item<bool>());
        }
        if (withOutput && result.modelOutput.defined()) {
            const auto probs =
                torch::softmax(result.modelOutput[0].to(torch::kCPU, torch::kFloat32), 0);
            const auto top = probs.topk(std::min<int64_t>(topK, probs.size(0)));
            for (int64_t i = 0; i < std::get<0>(top).size(0); ++i) {
                Prediction p;
                p.index = int(std::get<1>(top)[i].item<int64_t>());
                p.probability = std::get<0>(top)[i].item<float>();
                p.label = model.classLabel(p.index);
                out.predictions.push_back(p);
            }
        }
        return out;
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("computing activations of '" + layer.path + "' failed: " + firstLine(e.what()));
    }
}

}  // namespace loupe
