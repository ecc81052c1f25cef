#include "core/nmf.h"

#include "core/activations.h"
#include "core/device.h"
#include "core/error.h"
#include "core/synthetic_shapes.h"
#include "core/torch/model_impl.h"

namespace loupe {

NmfResult nonNegativeFactorization(const std::vector<float>& data, int rows, int columns, int k,
    int iterations, std::uint64_t seed, Progress* progress)
{
    const ParallelBlasScope largeProducts;
    if (rows <= 0 || columns <= 0 || data.size() != size_t(rows) * size_t(columns))
        throw Error("NMF: the data is not a rows x columns matrix");
    if (k < 1 || k > columns)
        throw Error("NMF: k = " + std::to_string(k) +
            " must be between 1 and the number of channels (" + std::to_string(columns) + ")");
    for (float v : data)
        if (!(v >= 0))
            throw Error("NMF needs non-negative data (use post-ReLU activations)");
    torch::NoGradGuard noGrad;
    const auto V =
        torch::from_blob(const_cast<float*>(data.data()), {rows, columns}).to(torch::kDouble);
    const double norm = std::max(1e-12, V.norm().item<double>());
    // Seeded initial factors at the data's scale.
    SeededRandom rng(seed + 1);
    const double scale = std::sqrt(std::max(1e-12, V.mean().item<double>() / k));
    auto W = torch::empty({rows, k}, torch::kDouble);
    auto H = torch::empty({k, columns}, torch::kDouble);
    for (auto* t : {&W, &H}) {
        auto* p = t->data_ptr<double>();
        for (int64_t i = 0; i < t->numel(); ++i)
            p[i] = scale * (0.1 + rng.uniform());
    }
    const double eps = 1e-12;
    NmfResult result;
    result.rows = rows;
    result.columns = columns;
    result.k = k;
    for (int it = 0; it < iterations; ++it) {
        if (progress)
            progress->checkCancelled();
        H = H * (W.t().mm(V)) / (W.t().mm(W).mm(H) + eps);
        W = W * (V.mm(H.t())) / (W.mm(H.mm(H.t())) + eps);
        result.errorHistory.push_back(float((V - W.mm(H)).norm().item<double>() / norm));
        if (progress && it % 10 == 0)
            progress->report(
                double(it + 1) / iterations, "NMF iteration " + std::to_string(it + 1));
    }
    // Normalise components to unit length, moving the scale into the weights.
    const auto lengths = H.norm(2, {1}, true).clamp_min(eps);
    H = H / lengths;
    W = W * lengths.t();
    const auto w = W.to(torch::kFloat32).contiguous(), h = H.to(torch::kFloat32).contiguous();
    result.weights.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
    result.components.assign(h.data_ptr<float>(), h.data_ptr<float>() + h.numel());
    return result;
}

LayerFactors factorizeLayer(Model& model, const std::vector<RgbImage>& images,
    const std::string& layerName, int k, int iterations, std::uint64_t seed, Progress* progress)
{
    if (images.empty())
        throw Error("NMF needs at least one image");
    const LayerInfo& layer = model.layer(layerName);
    if (!layer.isSpatial())
        throw Error("layer '" + layer.path + "' has no spatial extent to factorise");
    if (k < 1 || k > layer.channels())
        throw Error("k = " + std::to_string(k) + " must be between 1 and the layer's " +
            std::to_string(layer.channels()) + " channels");
    LayerFactors out;
    out.layer = layer.path;
    out.k = k;
    std::vector<float> rows;
    for (const auto& image : images) {
        const LayerActivations a = computeActivations(model, image, layer.path, false, 0);
        out.height = a.height;
        out.width = a.width;
        out.channels = a.channels;
        const int hw = a.height * a.width;
        for (int p = 0; p < hw; ++p)  // positions x channels
            for (int c = 0; c < a.channels; ++c)
                rows.push_back(std::max(0.f, a.values[size_t(c) * hw + p]));
    }
    const int hw = out.height * out.width;
    const NmfResult nmf = nonNegativeFactorization(
        rows, int(images.size()) * hw, out.channels, k, iterations, seed, progress);
    out.components = nmf.components;
    out.errorHistory = nmf.errorHistory;
    for (size_t i = 0; i < images.size(); ++i) {
        std::vector<float> maps(size_t(k) * hw);
        for (int p = 0; p < hw; ++p)
            for (int f = 0; f < k; ++f)
                maps[size_t(f) * hw + p] = nmf.weights[(i * hw + size_t(p)) * k + size_t(f)];
        out.maps.push_back(std::move(maps));
    }
    return out;
}

}  // namespace loupe
