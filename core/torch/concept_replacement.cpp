#include "core/concept_replacement.h"

#include "core/error.h"
#include "core/image_folder.h"
#include "core/thread_budget.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

#include <torch/torch.h>

#include <algorithm>

namespace loupe {
namespace {

struct Sums {
    int images = 0, agree = 0, meanAgree = 0;
    double crossEntropyIntact = 0, crossEntropyReconstructed = 0, crossEntropyMean = 0;
};

// A layer's output (N x C x H x W, or N x C) as one row of C values per position, and back.
torch::Tensor positionsAsRows(const torch::Tensor& a)
{
    return a.dim() == 4 ? a.permute({0, 2, 3, 1}).reshape({-1, a.size(1)})
                        : a.reshape({a.size(0), -1});
}

torch::Tensor rowsAsLayer(const torch::Tensor& rows, const torch::Tensor& like)
{
    if (like.dim() != 4)
        return rows.reshape(like.sizes());
    return rows.reshape({like.size(0), like.size(2), like.size(3), like.size(1)})
        .permute({0, 3, 1, 2})
        .contiguous();
}

torch::Tensor reconstruct(const SparseDictionary& dictionary, const torch::Tensor& layerOutput)
{
    const auto rows = positionsAsRows(layerOutput).to(torch::kCPU, torch::kFloat32).contiguous();
    VectorSet vectors;
    vectors.dimensions = int(rows.size(1));
    vectors.values.assign(rows.data_ptr<float>(), rows.data_ptr<float>() + rows.numel());
    VectorSet rebuilt = reconstructVectors(dictionary, vectors);
    const auto out = torch::from_blob(rebuilt.values.data(), rows.sizes(), torch::kFloat32).clone();
    return rowsAsLayer(out, layerOutput).to(layerOutput.device(), layerOutput.scalar_type());
}

// The model's logits for a batch: intact, with the layer reconstructed through the
// dictionary, and with the layer replaced by the dictionary's centre at every position.
struct Passes {
    torch::Tensor intact, reconstructed, meaned;
};

Passes runPasses(Model& model, const std::string& layer, const SparseDictionary& dictionary,
    const std::vector<RgbImage>& images)
{
    auto& d = model.impl();
    c10::InferenceMode inference;
    std::vector<torch::Tensor> inputs;
    for (const auto& image : images)
        inputs.push_back(imageToInput(image, d.metadata.input));
    const auto x = torch::cat(inputs).to(d.device);
    const auto captured =
        runCapture(d.module, d.captures.plan(d.module, {{layer, false}}, true), x);
    const auto& output = captured.activations.front();
    Passes p;
    p.intact = captured.modelOutput;
    if (!p.intact.defined() || p.intact.dim() != 2)
        throw Error("the model's output is not a class vector: agreement needs a classifier");
    if (output.size(1) != dictionary.dimensions)
        throw Error("layer '" + layer + "' has " + std::to_string(output.size(1)) +
            " channels; the dictionary was learned on " + std::to_string(dictionary.dimensions));
    const auto& patch = d.captures.patch(d.module, layer);
    p.reconstructed = runPatch(d.module, patch, x, reconstruct(dictionary, output));
    const auto centre = torch::tensor(dictionary.centre).to(output.device(), output.scalar_type());
    const auto meanShape = output.dim() == 4 ? std::vector<int64_t>{1, output.size(1), 1, 1}
                                             : std::vector<int64_t>{1, output.size(1)};
    p.meaned = runPatch(d.module, patch, x, centre.view(meanShape).expand_as(output).contiguous());
    return p;
}

void measureBatch(Model& model, const std::string& layer, const SparseDictionary& dictionary,
    const std::vector<RgbImage>& images, Sums& sums)
{
    const Passes p = runPasses(model, layer, dictionary, images);
    const auto top = p.intact.argmax(1);
    const auto crossEntropy = [&](const torch::Tensor& out) {
        return -torch::log_softmax(out.to(torch::kFloat32), 1)
                    .gather(1, top.view({-1, 1}))
                    .sum()
                    .item<double>();
    };
    sums.images += int(images.size());
    sums.agree += int((p.reconstructed.argmax(1) == top).sum().item<int64_t>());
    sums.meanAgree += int((p.meaned.argmax(1) == top).sum().item<int64_t>());
    sums.crossEntropyIntact += crossEntropy(p.intact);
    sums.crossEntropyReconstructed += crossEntropy(p.reconstructed);
    sums.crossEntropyMean += crossEntropy(p.meaned);
}

ReplacementAgreement summarise(const Sums& s)
{
    ReplacementAgreement r;
    r.images = s.images;
    if (s.images == 0)
        throw Error("no image could be read to measure the dictionary's agreement");
    r.topOneAgreement = float(s.agree) / float(s.images);
    r.meanAblationAgreement = float(s.meanAgree) / float(s.images);
    const double lost = s.crossEntropyMean - s.crossEntropyIntact;
    r.lossRecovered =
        lost > 1e-9 ? float((s.crossEntropyMean - s.crossEntropyReconstructed) / lost) : 1.f;
    return r;
}

template <typename Body> ReplacementAgreement guarded(Body body)
{
    try {
        return body();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("replacing the layer by its reconstruction failed: " + firstLine(e.what()));
    }
}

constexpr size_t kBatch = 8;

}  // namespace

std::vector<float> logitsWithReconstruction(Model& model, const std::string& layer,
    const SparseDictionary& dictionary, const RgbImage& image)
{
    const std::string path = model.layer(layer).path;
    std::vector<float> out;
    guarded([&] {
        const auto logits = runPasses(model, path, dictionary, {image})
                                .reconstructed[0]
                                .to(torch::kCPU, torch::kFloat32)
                                .contiguous();
        out.assign(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
        return ReplacementAgreement();
    });
    return out;
}

ReplacementAgreement measureReplacement(Model& model, const std::string& layer,
    const SparseDictionary& dictionary, const std::vector<RgbImage>& images, Progress& progress)
{
    const std::string path = model.layer(layer).path;
    return guarded([&] {
        Sums sums;
        for (size_t start = 0; start < images.size(); start += kBatch) {
            progress.checkCancelled();
            const size_t end = std::min(images.size(), start + kBatch);
            measureBatch(model, path, dictionary,
                {images.begin() + long(start), images.begin() + long(end)}, sums);
            progress.report(double(end) / double(images.size()), "agreement");
        }
        return summarise(sums);
    });
}

ReplacementAgreement measureReplacement(Model& model, const std::string& layer,
    const SparseDictionary& dictionary, const std::string& folder, int maxImages,
    Progress& progress)
{
    const std::string path = model.layer(layer).path;
    const auto files = evenlySpread(listImages(folder), maxImages);
    const int threads = threadBudget();
    return guarded([&] {
        Sums sums;
        for (size_t start = 0; start < files.size(); start += kBatch) {
            progress.checkCancelled();
            const size_t end = std::min(files.size(), start + kBatch);
            std::vector<RgbImage> batch;
            for (auto& decoded :
                decodeImages(folder, files, start, end, model.metadata().input.size, threads))
                if (decoded.error.empty())
                    batch.push_back(std::move(decoded.image));
            if (!batch.empty())
                measureBatch(model, path, dictionary, batch, sums);
            progress.report(double(end) / double(files.size()),
                std::to_string(end) + "/" + std::to_string(files.size()) + " images");
        }
        return summarise(sums);
    });
}

}  // namespace loupe
