// Occlusion's shared pieces (fill, positions, occluded batches) and the top-1 class map.
#include "core/occlusion.h"

#include "core/error.h"
#include "core/input_geometry.h"
#include "core/torch/model_impl.h"
#include "core/torch/occlusion_fill.h"
#include "core/torch/tensor_image.h"

#include <algorithm>
#include <map>

namespace loupe {

torch::Tensor blurredInput(const torch::Tensor& input)
{
    return boxBlur(input, 31);
}

torch::Tensor occlusionFill(
    const torch::Tensor& input, const InputSpec& spec, AttributionConfig::Fill fill)
{
    switch (fill) {
    case AttributionConfig::Fill::Black: return rgbToModelInput(torch::zeros_like(input), spec);
    case AttributionConfig::Fill::Mean:
        return input.mean(c10::IntArrayRef{2, 3}, true).expand_as(input);
    case AttributionConfig::Fill::Blur: return blurredInput(input);
    default: return rgbToModelInput(torch::full_like(input, 0.5f), spec);
    }
}

std::vector<std::pair<int, int>> occlusionPositions(int size, int patch, int stride)
{
    if (patch > size || patch < 1 || stride < 1)
        throw Error("occlusion patch " + std::to_string(patch) + " does not fit the " +
            std::to_string(size) +
            " px input (patch must be between 1 and the input size, stride at least 1)");
    std::vector<std::pair<int, int>> positions;
    for (int y = 0; y + patch <= size; y += stride)
        for (int x = 0; x + patch <= size; x += stride)
            positions.emplace_back(x, y);
    return positions;
}

torch::Tensor occludedBatch(const torch::Tensor& input, const torch::Tensor& fill,
    const std::vector<std::pair<int, int>>& positions, size_t begin, size_t end, int patch)
{
    using torch::indexing::Slice;
    auto occluded = input.repeat({int64_t(end - begin), 1, 1, 1});
    for (size_t i = begin; i < end; ++i) {
        const auto [x, y] = positions[i];
        occluded.index_put_({int64_t(i - begin), Slice(), Slice(y, y + patch), Slice(x, x + patch)},
            fill[0].index({Slice(), Slice(y, y + patch), Slice(x, x + patch)}));
    }
    return occluded;
}

std::vector<std::pair<int, int>> OcclusionClassMap::legend() const
{
    std::map<int, int> counts;
    for (int c : classes)
        if (c >= 0)
            ++counts[c];
    std::vector<std::pair<int, int>> out(counts.begin(), counts.end());
    std::stable_sort(
        out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

OcclusionClassMap occlusionTopClasses(Model& model, const RgbImage& image,
    const AttributionConfig& config, Progress& progress,
    const std::function<void(const OcclusionClassMap&)>& partial)
{
    auto& d = model.impl();
    if (model.numClasses() == 0)
        throw Error("this model has no classifier output: the top-1 class map needs one");
    const int size = d.metadata.input.size;
    const auto positions = occlusionPositions(size, config.patch, config.stride);
    OcclusionClassMap map;
    map.patch = config.patch;
    map.stride = config.stride;
    map.inputSize = size;
    map.columns = (size - config.patch) / config.stride + 1;
    map.rows = (size - config.patch) / config.stride + 1;
    map.classes.assign(positions.size(), -1);
    map.probabilities.assign(positions.size(), 0.f);
    map.inputView = resizeAndCenterCrop(image, size);
    try {
        c10::InferenceMode inference;
        const auto& plan = d.captures.plan(d.module, {}, true);
        const auto input = imageToInput(image, d.metadata.input).to(d.device);
        map.unoccludedClass =
            int(runCapture(d.module, plan, input).modelOutput.argmax(1).item<int64_t>());
        const auto fill = occlusionFill(input, d.metadata.input, config.fill);
        const size_t batch = size_t(std::max(1, config.batch));
        int fitting = 0;
        for (size_t start = 0; start < positions.size(); start += batch) {
            progress.checkCancelled();
            const size_t end = std::min(positions.size(), start + batch);
            const auto probabilities = torch::softmax(
                runCaptureInChunks(d.module, plan,
                    occludedBatch(input, fill, positions, start, end, config.patch), fitting)
                    .modelOutput,
                1);
            const auto [best, index] = probabilities.max(1);
            const auto bestCpu = best.to(torch::kCPU, torch::kFloat32),
                       indexCpu = index.to(torch::kCPU);
            for (size_t i = start; i < end; ++i) {
                map.classes[i] = int(indexCpu[int64_t(i - start)].item<int64_t>());
                map.probabilities[i] = bestCpu[int64_t(i - start)].item<float>();
            }
            progress.report(double(end) / positions.size(),
                "top-1 class map " + std::to_string(end) + "/" + std::to_string(positions.size()));
            if (partial)
                partial(map);
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("occlusion failed: " + firstLine(e.what()));
    }
    return map;
}

}  // namespace loupe
