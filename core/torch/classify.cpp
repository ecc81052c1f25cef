#include "core/classify.h"

#include "core/error.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

#include <algorithm>
#include <numeric>

namespace loupe {
namespace {

torch::Tensor probabilities(Model& model, const std::vector<RgbImage>& images)
{
    auto& d = model.impl();
    std::vector<torch::Tensor> inputs;
    for (const RgbImage& image : images)
        inputs.push_back(imageToInput(image, d.metadata.input));
    c10::InferenceMode inference;
    const auto logits = firstTensor(d.module.forward({torch::cat(inputs).to(d.device)}));
    return torch::softmax(logits.to(torch::kCPU, torch::kFloat32), 1);
}

}  // namespace

std::vector<std::vector<float>> classProbabilities(
    Model& model, const std::vector<RgbImage>& images, Progress& progress, int batch)
{
    if (model.numClasses() == 0)
        throw Error("this model has no classifier output, so it makes no predictions");
    std::vector<std::vector<float>> out;
    try {
        for (size_t first = 0; first < images.size(); first += size_t(std::max(1, batch))) {
            progress.checkCancelled();
            const size_t last = std::min(images.size(), first + size_t(std::max(1, batch)));
            const auto probs = probabilities(model,
                std::vector<RgbImage>(images.begin() + long(first), images.begin() + long(last)))
                                   .contiguous();
            for (int64_t b = 0; b < probs.size(0); ++b)
                out.emplace_back(
                    probs[b].data_ptr<float>(), probs[b].data_ptr<float>() + probs.size(1));
            progress.report(double(last) / double(images.size()));
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("classifying failed: " + firstLine(e.what()));
    }
    return out;
}

std::vector<std::vector<Prediction>> classifyImages(
    Model& model, const std::vector<RgbImage>& images, int k, Progress& progress, int batch)
{
    std::vector<std::vector<Prediction>> out;
    for (const auto& p : classProbabilities(model, images, progress, batch)) {
        std::vector<int> order(p.size());
        std::iota(order.begin(), order.end(), 0);
        const auto top = order.begin() + std::min<long>(std::max(0, k), long(order.size()));
        std::partial_sort(order.begin(), top, order.end(),
            [&p](int a, int b) { return p[size_t(a)] > p[size_t(b)]; });
        std::vector<Prediction> row;
        for (auto it = order.begin(); it != top; ++it)
            row.push_back({*it, model.classLabel(*it), p[size_t(*it)]});
        out.push_back(std::move(row));
    }
    return out;
}

float classProbability(Model& model, const RgbImage& image, int klass)
{
    if (klass < 0 || klass >= model.numClasses())
        throw Error("class " + std::to_string(klass) + " is out of range (the model has " +
            std::to_string(model.numClasses()) + " classes)");
    return probabilities(model, {image})[0][klass].item<float>();
}

}  // namespace loupe
