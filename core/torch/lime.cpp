// LIME for images (Ribeiro, Singh & Guestrin 2016, "Why Should I Trust You?"), as lime_image
// does it: superpixels of the picture, random on/off patterns (the first one all on), hidden
// superpixels replaced by a fill, samples weighted by an exponential kernel of their cosine
// distance to the all-on pattern (width 0.25), and a ridge regression (alpha 1) with intercept.

#include "core/lime.h"

#include "core/error.h"
#include "core/input_geometry.h"
#include "core/shrinking_batches.h"
#include "core/torch/model_impl.h"
#include "core/torch/occlusion_fill.h"
#include "core/torch/random.h"
#include "core/torch/target_function.h"
#include "core/torch/tensor_image.h"

#include <torch/linalg.h>

#include <algorithm>
#include <numeric>

namespace loupe {

std::vector<int> LimeExplanation::ranked() const
{
    std::vector<int> order(weights.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
        [&](int a, int b) { return weights[size_t(a)] > weights[size_t(b)]; });
    return order;
}

AttributionMap LimeExplanation::map() const
{
    AttributionMap out;
    out.width = superpixels.width;
    out.height = superpixels.height;
    out.values.resize(superpixels.labels.size());
    for (size_t i = 0; i < out.values.size(); ++i)
        out.values[i] = weights[size_t(superpixels.labels[i])];
    out.isSigned = true;
    out.targetValue = targetValue;
    out.inputView = inputView;
    return out;
}

LimeExplanation explainWithLime(
    Model& model, const RgbImage& image, const AttributionConfig& config, Progress& progress)
{
    if (config.limeSamples < 2)
        throw Error("LIME needs at least 2 samples (1000 is usual)");
    if (config.superpixels < 2)
        throw Error("LIME needs at least 2 superpixels");
    auto& d = model.impl();
    const InputSpec& spec = d.metadata.input;
    const TargetFunction f(model, config.target);
    LimeExplanation out;
    out.inputView = resizeAndCenterCrop(image, spec.size);
    out.superpixels = slicSuperpixels(out.inputView, config.superpixels);
    const int parts = out.superpixels.count, samples = config.limeSamples, size = spec.size;
    const auto input = imageToInput(image, spec).to(d.device);
    const auto fill = occlusionFill(input, spec, config.fill);
    const auto labels = torch::tensor(out.superpixels.labels, torch::kLong).to(d.device);

    // The patterns: row 0 shows everything (the explained image), the rest are fair coins.
    auto generator = seededGenerator(config.seed);
    auto patterns =
        (uniform({samples, parts}, generator, torch::TensorOptions()) < 0.5).to(torch::kFloat32);
    patterns[0].fill_(1.f);
    std::vector<float> values(static_cast<size_t>(samples));
    int batch = std::max(32, config.batch);
    try {
        torch::NoGradGuard noGrad;
        forEachShrinkingBatch(samples, batch, [&](int first, int n) {
            progress.checkCancelled();
            const auto shown = patterns.narrow(0, first, n).to(d.device);
            const auto mask = shown.index_select(1, labels).view({n, 1, size, size});
            const auto x = input * mask + fill * (1 - mask);
            const auto y = f(x).value.to(torch::kCPU, torch::kFloat32).contiguous();
            std::copy(y.data_ptr<float>(), y.data_ptr<float>() + n, values.begin() + first);
            progress.report(double(first + n) / samples,
                "LIME samples " + std::to_string(first + n) + "/" + std::to_string(samples));
        });
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("LIME failed: " + firstLine(e.what()));
    }

    // Weighted ridge regression with intercept, in double precision on the CPU.
    const auto Z = patterns.to(torch::kFloat64);
    const auto y = torch::tensor(values, torch::kFloat64);
    const auto cosine = Z.sum(1) / (Z.norm(2, 1) * std::sqrt(double(parts))).clamp_min(1e-12);
    const auto distance = 1 - cosine;
    const auto w = torch::sqrt(torch::exp(-(distance * distance) / (0.25 * 0.25)));
    const double wSum = w.sum().item<double>();
    const auto zMean = (w.unsqueeze(1) * Z).sum(0) / wSum;
    const double yMean = (w * y).sum().item<double>() / wSum;
    const auto Zc = Z - zMean, yc = y - yMean;
    const auto A = Zc.t().matmul(w.unsqueeze(1) * Zc) + torch::eye(parts, torch::kFloat64);
    const auto b = Zc.t().matmul(w * yc);
    const auto beta = torch::linalg::solve(A, b.unsqueeze(1), true).squeeze(1);
    const auto fitted = Zc.matmul(beta);
    const double residual = (w * (yc - fitted).pow(2)).sum().item<double>();
    const double spread = (w * yc.pow(2)).sum().item<double>();
    out.fitR2 = spread > 0 ? float(1 - residual / spread) : 0.f;
    out.intercept = float(yMean - zMean.dot(beta).item<double>());
    const auto betaF = beta.to(torch::kFloat32).contiguous();
    out.weights.assign(betaF.data_ptr<float>(), betaF.data_ptr<float>() + parts);
    out.samples = samples;
    out.targetValue = values[0];
    return out;
}

}  // namespace loupe
