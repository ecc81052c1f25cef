// Activation vectors for the atlas: the scan's decode pipeline (a thread pool one batch
// ahead of the forward pass), keeping only a few random positions per image.
#include "core/atlas.h"
#include "core/thread_budget.h"

#include "core/error.h"
#include "core/image_folder.h"
#include "core/receptive_field.h"
#include "core/synthetic_shapes.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

#include <future>
#include <numeric>
#include <thread>

namespace loupe {

ActivationSamples collectActivationSamples(
    Model& model, const AtlasSamplesConfig& config, Progress& progress)
{
    const LayerInfo& layer = model.layer(config.layer);
    if (!layer.isSpatial())
        throw Error("an atlas needs a spatial layer; '" + layer.path + "' has no feature map");
    if (!layer.addressable)
        throw Error("layer '" + layer.path + "' cannot be captured: " + layer.note);
    const auto files = evenlySpread(listImages(config.folder), config.maxImages);
    if (files.empty())
        throw Error("no images in '" + config.folder + "'");
    auto& d = model.impl();
    const int size = d.metadata.input.size;
    const int channels = int(layer.channels()), height = int(layer.shape[1]),
              width = int(layer.shape[2]);
    const int positions = height * width,
              perImage = std::min(std::max(1, config.samplesPerImage), positions);
    const int threads = config.decodeThreads > 0 ? config.decodeThreads : threadBudget();
    const size_t batch = size_t(std::max(1, config.batchSize));
    const bool classifier = d.numClasses > 0;
    const auto& plan = d.captures.plan(d.module, {{layer.path, false}}, classifier);
    int fitting = 0;  // the batch size that fits on the device, learnt on out-of-memory

    ActivationSamples out;
    out.folder = config.folder;
    out.layer = layer.path;
    out.dimension = channels;
    SeededRandom rng(config.seed + 1);
    std::vector<int> order(static_cast<size_t>(positions));
    auto decodeNext = [&](size_t begin) {
        return std::async(std::launch::async, [&, begin] {
            return decodeImages(
                config.folder, files, begin, std::min(files.size(), begin + batch), size, threads);
        });
    };
    auto pending = decodeNext(0);
    for (size_t begin = 0; begin < files.size(); begin += batch) {
        auto decoded = pending.get();
        if (begin + batch < files.size())
            pending =
                decodeNext(begin + batch);  // decoding runs one batch ahead of the forward pass
        progress.checkCancelled();
        std::vector<torch::Tensor> inputs;
        std::vector<int> ids;
        for (auto& item : decoded) {
            if (!item.error.empty()) {
                out.skipped.push_back(files[size_t(item.index)] + ": " + item.error);
                continue;
            }
            inputs.push_back(imageToInput(item.image, d.metadata.input));
            ids.push_back(int(out.images.size()));
            out.images.push_back(files[size_t(item.index)]);
        }
        if (inputs.empty())
            continue;
        try {
            c10::InferenceMode inference;
            const auto result =
                runCaptureInChunks(d.module, plan, torch::cat(inputs).to(d.device), fitting);
            // N x positions x C on the CPU: the sampled rows are copied out.
            const auto act = result.activations.at(0)
                                 .to(torch::kCPU, torch::kFloat32)
                                 .flatten(2)
                                 .transpose(1, 2)
                                 .contiguous();
            if (classifier) {
                const auto predicted = result.modelOutput.argmax(1).to(torch::kCPU);
                for (size_t i = 0; i < ids.size(); ++i)
                    out.predictedClass.push_back(int(predicted[int64_t(i)].item<int64_t>()));
            } else {
                out.predictedClass.insert(out.predictedClass.end(), ids.size(), -1);
            }
            const float* data = act.data_ptr<float>();
            for (size_t i = 0; i < ids.size(); ++i) {
                std::iota(order.begin(), order.end(), 0);
                for (int s = 0; s < perImage; ++s) {  // partial Fisher-Yates: distinct positions
                    const int j = s + int(rng.uniform() * (positions - s));
                    std::swap(order[size_t(s)], order[size_t(std::min(j, positions - 1))]);
                    const int p = order[size_t(s)];
                    const float* row =
                        data + (i * size_t(positions) + size_t(p)) * size_t(channels);
                    out.vectors.insert(out.vectors.end(), row, row + channels);
                    out.image.push_back(ids[i]);
                    out.x.push_back(p % width);
                    out.y.push_back(p / width);
                }
            }
        } catch (const Error&) {
            throw;
        } catch (const std::exception& e) {
            throw Error(
                "collecting activations of '" + layer.path + "' failed: " + firstLine(e.what()));
        }
        const size_t done = std::min(files.size(), begin + batch);
        progress.report(double(done) / files.size(),
            std::to_string(done) + "/" + std::to_string(files.size()) + " images");
    }
    if (out.count() == 0)
        throw Error("none of the images in '" + config.folder + "' could be read");
    return out;
}

ImageMap buildImageMap(Model& model, const std::string& folder, const std::string& layerName,
    int maxImages, int thumbnailSize, const LayoutConfig& layout, Progress& progress)
{
    const LayerInfo& layer = model.layer(layerName);
    if (!layer.addressable)
        throw Error("layer '" + layer.path + "' cannot be captured: " + layer.note);
    const auto files = evenlySpread(listImages(folder), maxImages);
    if (files.size() < 3)
        throw Error("an image map needs at least 3 images in '" + folder + "'");
    auto& d = model.impl();
    const int size = d.metadata.input.size;
    const auto& plan = d.captures.plan(d.module, {{layer.path, false}}, false);
    int fitting = 0;
    const int threads = threadBudget();
    ImageMap map;
    map.folder = folder;
    map.layer = layer.path;
    map.dimension = int(layer.channels());
    const size_t batch = 32;
    Progress collecting(
        [&](double f, const std::string& text) { progress.report(0.6 * f, "codes: " + text); },
        progress);
    for (size_t begin = 0; begin < files.size(); begin += batch) {
        collecting.checkCancelled();
        std::vector<torch::Tensor> inputs;
        for (auto& item : decodeImages(
                 folder, files, begin, std::min(files.size(), begin + batch), size, threads)) {
            if (!item.error.empty()) {
                map.skipped.push_back(files[size_t(item.index)] + ": " + item.error);
                continue;
            }
            inputs.push_back(imageToInput(item.image, d.metadata.input));
            map.images.push_back(files[size_t(item.index)]);
            map.thumbnails.push_back(exampleImage(item.image, size,
                ReceptiveField{size, double(size), size / 2.0}, 0, 0, false, thumbnailSize));
        }
        if (inputs.empty())
            continue;
        try {
            c10::InferenceMode inference;
            auto act = runCaptureInChunks(d.module, plan, torch::cat(inputs).to(d.device), fitting)
                           .activations.at(0);
            if (act.dim() == 4)
                act = act.mean(c10::IntArrayRef{2, 3});  // pooled over positions
            act = act.flatten(1).to(torch::kCPU, torch::kFloat32).contiguous();
            map.dimension = int(act.size(1));
            map.codes.insert(
                map.codes.end(), act.data_ptr<float>(), act.data_ptr<float>() + act.numel());
        } catch (const std::exception& e) {
            throw Error("computing codes of '" + layer.path + "' failed: " + firstLine(e.what()));
        }
        const size_t done = std::min(files.size(), begin + batch);
        collecting.report(double(done) / files.size(),
            std::to_string(done) + "/" + std::to_string(files.size()) + " images");
    }
    if (map.images.size() < 3)
        throw Error("fewer than 3 readable images in '" + folder + "'");
    Progress laying(
        [&](double f, const std::string& text) { progress.report(0.6 + 0.4 * f, text); }, progress);
    map.coordinates = layout2d(map.codes, int(map.images.size()), map.dimension, layout, laying);
    return map;
}

}  // namespace loupe
