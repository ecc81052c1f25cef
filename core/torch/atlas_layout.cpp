// The atlas's 2-D layout, UMAP-style (McInnes et al. 2018) on LibTorch: PCA, an exact k-NN
// graph by chunked matrix products, UMAP's fuzzy edge weights, and a full-batch version of its
// attraction/repulsion optimisation, all as tensor operations so that it runs on the GPU too.
#include "core/atlas.h"
#include "core/torch/random.h"

#include "core/device.h"
#include "core/error.h"

#include <torch/torch.h>

#include <cmath>

namespace loupe {
namespace {

// UMAP's curve 1 / (1 + a d^2b) fitted to min_dist = 0.1, spread = 1.
constexpr double kA = 1.577;
constexpr double kB = 0.895;

torch::Device layoutDevice(DevicePreference preference)
{
    return resolveDevice(preference).cuda ? torch::Device(torch::kCUDA)
                                          : torch::Device(torch::kCPU);
}

// Centred data projected on its top principal directions (eigenvectors of the covariance).
torch::Tensor principalComponents(const torch::Tensor& x, int dimensions)
{
    const auto centred = x - x.mean(0, true);
    if (x.size(1) <= dimensions)
        return centred;
    const auto covariance = centred.t().mm(centred) / double(x.size(0));
    const auto [values, vectors] = torch::linalg_eigh(covariance);  // ascending
    const auto top = vectors.slice(1, vectors.size(1) - dimensions).flip(1);
    return centred.mm(top);
}

// Exact k nearest neighbours (excluding the point itself), rows in chunks to bound memory.
std::pair<torch::Tensor, torch::Tensor> nearestNeighbours(
    const torch::Tensor& y, int k, Progress& progress)
{
    const int64_t n = y.size(0);
    const auto norms = (y * y).sum(1);
    auto distances = torch::empty({n, k}, y.options());
    auto indices = torch::empty({n, k}, y.options().dtype(torch::kLong));
    const int64_t chunk =
        std::max<int64_t>(64, (int64_t(1) << 24) / std::max<int64_t>(1, n));  // ~64 MB of distances
    const auto columnNorms = norms.unsqueeze(0);
    for (int64_t start = 0; start < n; start += chunk) {
        progress.checkCancelled();
        const int64_t end = std::min(n, start + chunk);
        // |q|^2 is the same along a row, so ranking |c|^2 - 2 q.c (one fused GEMM) ranks distances.
        auto d = torch::addmm(
            columnNorms.expand({end - start, n}), y.slice(0, start, end), y.t(), 1, -2);
        const auto rows = torch::arange(end - start, indices.options());
        d.index_put_({rows, rows + start}, std::numeric_limits<float>::infinity());
        const auto [values, where] = d.topk(k, 1, false);
        distances.slice(0, start, end)
            .copy_((values + norms.slice(0, start, end).unsqueeze(1)).clamp_min(0).sqrt());
        indices.slice(0, start, end).copy_(where);
        progress.report(0.3 * double(end) / n,
            "nearest neighbours " + std::to_string(end) + "/" + std::to_string(n));
    }
    return {distances, indices};
}

// UMAP's membership strengths: exp(-(d - rho) / sigma), sigma per point by binary search so that
// the strengths of its k neighbours sum to log2(k).
torch::Tensor fuzzyWeights(const torch::Tensor& distances)
{
    const int64_t k = distances.size(1);
    const auto rho = std::get<0>(distances.min(1, true));
    const auto shifted = (distances - rho).clamp_min(0);
    const double target = std::log2(double(k));
    auto lo = torch::zeros_like(rho), hi = torch::full_like(rho, 1e4);
    auto sigma = torch::ones_like(rho);
    for (int i = 0; i < 64; ++i) {
        const auto total = torch::exp(-shifted / sigma).sum(1, true);
        const auto tooBig = total > target;  // sigma too large
        hi = torch::where(tooBig, sigma, hi);
        lo = torch::where(tooBig, lo, sigma);
        sigma = (lo + hi) / 2;
    }
    return torch::exp(-shifted / sigma.clamp_min(1e-6));
}

}  // namespace

std::vector<float> layout2d(const std::vector<float>& vectors, int count, int dimension,
    const LayoutConfig& config, Progress& progress)
{
    const ParallelBlasScope largeProducts;
    if (count < 3 || dimension < 1 || vectors.size() != size_t(count) * size_t(dimension))
        throw Error("a layout needs at least 3 vectors of one dimension");
    try {
        torch::NoGradGuard noGrad;
        auto generator = seededGenerator(config.seed);
        const torch::Device device = layoutDevice(config.device);
        const auto x = torch::from_blob(const_cast<float*>(vectors.data()), {count, dimension})
                           .to(device, torch::kFloat32);
        const auto reduced = principalComponents(x, std::max(2, config.pcaDimensions));
        const int k = std::min(config.neighbours, count - 1);
        const auto [distances, neighbours] = nearestNeighbours(reduced, k, progress);
        const auto weights = fuzzyWeights(distances).flatten();
        const auto heads = torch::arange(count, neighbours.options()).repeat_interleave(k);
        const auto tails = neighbours.flatten();

        // Initialisation: the first two principal components, scaled to [0, 10] like UMAP's.
        auto y = reduced.slice(1, 0, 2).clone();
        y = (y - std::get<0>(y.min(0, true))) /
            (std::get<0>(y.max(0, true)) - std::get<0>(y.min(0, true))).clamp_min(1e-12) * 10;

        // Each point's attraction is the weighted mean over its edges (in and out), so that a hub
        // moves no faster than any other point; repulsion sums its negative samples, as UMAP's
        // SGD applies each of them in full.
        const auto degree = torch::zeros({count}, y.options())
                                .index_add_(0, heads, weights)
                                .index_add_(0, tails, weights);
        const int negatives = std::max(1, config.negativeSamples);
        for (int epoch = 0; epoch < config.epochs; ++epoch) {
            progress.checkCancelled();
            const double rate = 1.0 - double(epoch) / config.epochs;
            const auto difference = y.index_select(0, heads) - y.index_select(0, tails);
            const auto d2 = (difference * difference).sum(1, true);
            const auto attract =
                (-2 * kA * kB * d2.pow(kB - 1) / (1 + kA * d2.pow(kB))).nan_to_num(0, 0, 0);
            const auto pull = (attract * difference).clamp(-4, 4) * weights.unsqueeze(1);
            auto move =
                torch::zeros_like(y).index_add_(0, heads, pull).index_add_(0, tails, -pull) /
                degree.clamp_min(1e-6).unsqueeze(1);

            const auto from = torch::arange(count, heads.options()).repeat_interleave(negatives);
            const auto to =
                integers(count, {int64_t(count) * negatives}, generator, heads.options());
            const auto away = y.index_select(0, from) - y.index_select(0, to);
            const auto a2 = (away * away).sum(1, true);
            const auto repel = 2 * kB / ((0.001 + a2) * (1 + kA * a2.pow(kB)));
            const auto push = (repel * away).clamp(-4, 4);
            move += torch::zeros_like(y).index_add_(
                0, from, push);  // summed, as UMAP applies every negative sample
            y += rate * move;
            if (epoch % 10 == 0)
                progress.report(0.3 + 0.7 * epoch / config.epochs,
                    "layout epoch " + std::to_string(epoch) + "/" + std::to_string(config.epochs));
        }
        // Into [0, 1]^2 with a small margin, keeping the aspect ratio.
        const auto lo = std::get<0>(y.min(0, true)), hi = std::get<0>(y.max(0, true));
        const auto extent = hi - lo;
        const auto span = extent.max().clamp_min(1e-12);
        const auto centring = (span - extent) / span / 2;  // the shorter axis sits in the middle
        y = (((y - lo) / span + centring) * 0.98 + 0.01).to(torch::kCPU).contiguous();
        return std::vector<float>(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("layout failed: " + firstLine(e.what()));
    }
}

std::vector<float> placeOnLayout(const std::vector<float>& sampleVectors,
    const std::vector<float>& coordinates, int dimension, const std::vector<float>& newVectors,
    int k)
{
    const int64_t n = int64_t(coordinates.size() / 2),
                  m = dimension > 0 ? int64_t(newVectors.size()) / dimension : 0;
    if (n == 0 || dimension <= 0 || sampleVectors.size() != size_t(n) * size_t(dimension) ||
        newVectors.size() != size_t(m) * size_t(dimension))
        throw Error("placing on the atlas: the vectors do not match the atlas's layer");
    torch::NoGradGuard noGrad;
    const auto samples = torch::from_blob(const_cast<float*>(sampleVectors.data()), {n, dimension});
    const auto xy = torch::from_blob(const_cast<float*>(coordinates.data()), {n, 2});
    const auto queries = torch::from_blob(const_cast<float*>(newVectors.data()), {m, dimension});
    const auto d = (queries * queries).sum(1, true) + (samples * samples).sum(1).unsqueeze(0) -
        2 * queries.mm(samples.t());
    const auto nearest = std::get<1>(d.topk(std::min<int64_t>(k, n), 1, false));
    const auto placed = xy.index_select(0, nearest.flatten()).view({m, -1, 2}).mean(1).contiguous();
    return std::vector<float>(placed.data_ptr<float>(), placed.data_ptr<float>() + placed.numel());
}

}  // namespace loupe
