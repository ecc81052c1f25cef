// The torch side of tuning experiments: batched forwards that record a few channels at a
// position. Everything else about tuning (stimuli, sweeps, rotation, caching) is in
// core/tuning.cpp and never sees a tensor.
#include "core/tuning.h"

#include "core/error.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

#include <algorithm>

namespace loupe {

std::vector<float> unitResponses(Model& model, const TuningTarget& target, int count,
    const std::function<RgbImage(int)>& imageAt, int batchSize, Progress& progress,
    const std::function<std::pair<int, int>(int)>& positionAt)
{
    const LayerInfo& layer = model.layer(target.layer);
    if (!layer.addressable)
        throw Error("layer '" + layer.path + "' cannot be captured: " + layer.note);
    if (!layer.isSpatial())
        throw Error("tuning needs a spatial layer; '" + layer.path + "' has no feature map");
    const auto channels = int(layer.channels()), height = int(layer.shape[1]),
               width = int(layer.shape[2]);
    for (int c : target.channels)
        if (c < 0 || c >= channels)
            throw Error("channel " + std::to_string(c) + " is out of range: '" + layer.path +
                "' has " + std::to_string(channels) + " channels");
    if (target.channels.empty())
        throw Error("no channels to record");
    auto& d = model.impl();
    const auto& plan = d.captures.plan(d.module, {{layer.path, target.preRelu}}, false);
    const auto index =
        torch::tensor(std::vector<int64_t>(target.channels.begin(), target.channels.end()))
            .to(d.device);
    const int k = int(target.channels.size());
    const auto fixedX = target.x >= 0 ? std::min(target.x, width - 1) : width / 2;
    const auto fixedY = target.y >= 0 ? std::min(target.y, height - 1) : height / 2;

    std::vector<float> out(size_t(count) * size_t(k));
    const int batch = std::max(1, batchSize);
    int fitting = 0;  // the batch size that fits on the device, learnt on out-of-memory
    for (int start = 0; start < count;) {
        progress.checkCancelled();
        const int n = std::min(batch, count - start);
        std::vector<torch::Tensor> inputs;
        for (int i = 0; i < n; ++i)
            inputs.push_back(imageToInput(imageAt(start + i), d.metadata.input));
        try {
            c10::InferenceMode inference;
            const auto act =
                runCaptureInChunks(d.module, plan, torch::cat(inputs).to(d.device), fitting)
                    .activations.at(0)
                    .index_select(1, index);
            torch::Tensor values;
            if (positionAt) {
                std::vector<torch::Tensor> rows;
                for (int i = 0; i < n; ++i) {
                    const auto [x, y] = positionAt(start + i);
                    rows.push_back(act[i]
                                       .select(1, std::clamp(y, 0, height - 1))
                                       .select(1, std::clamp(x, 0, width - 1)));
                }
                values = torch::stack(rows);
            } else {
                values = act.select(2, fixedY).select(2, fixedX);
            }
            values = values.to(torch::kCPU, torch::kFloat32).contiguous();
            std::copy(values.data_ptr<float>(), values.data_ptr<float>() + values.numel(),
                out.begin() + ptrdiff_t(start) * k);
        } catch (const std::exception& e) {
            throw Error(
                "running stimuli through '" + layer.path + "' failed: " + firstLine(e.what()));
        }
        start += n;
        progress.report(double(start) / count,
            std::to_string(start) + " / " + std::to_string(count) + " images");
    }
    return out;
}

}  // namespace loupe
