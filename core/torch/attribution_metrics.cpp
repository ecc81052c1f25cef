// Faithfulness of attribution maps: deletion / insertion (Petsiuk et al. 2018, "RISE"),
// MuFidelity (Bhatt et al. 2020) and ROAD's noisy linear imputation (Rong et al. 2022). Every
// perturbed image of one measure goes through the network in one batched forward (halved on
// out-of-memory), with the target's capture plan shared with the attribution methods.

#include "core/attribution_metrics.h"

#include "core/error.h"
#include "core/map_measures.h"
#include "core/shrinking_batches.h"
#include "core/torch/model_impl.h"
#include "core/torch/occlusion_fill.h"
#include "core/torch/random.h"
#include "core/torch/target_function.h"
#include "core/torch/tensor_image.h"

#include <cmath>

namespace loupe {
namespace {

// Curves are read on the probability scale for a class: a logit has no floor, so its areas
// do not compare across images.
AttributionTarget measuredTarget(const AttributionTarget& target)
{
    AttributionTarget t = target;
    if (t.kind == AttributionTarget::Kind::Logit)
        t.kind = AttributionTarget::Kind::Probability;
    return t;
}

std::string quantityOf(const AttributionTarget& target)
{
    switch (target.kind) {
    case AttributionTarget::Kind::Unit: return "unit value";
    case AttributionTarget::Kind::Layer: return "layer mean";
    case AttributionTarget::Kind::Concept: return "concept value";
    default: return "probability";
    }
}

void checkMapFitsInput(const AttributionMap& map, int size)
{
    if (map.width != size || map.height != size || map.values.size() != size_t(size) * size)
        throw Error("the map is " + std::to_string(map.width) + " x " + std::to_string(map.height) +
            ", not the model's " + std::to_string(size) + " px input");
}

// rank[p]: the place of pixel p when the map is sorted high to low (ties by position).
torch::Tensor pixelRanks(const AttributionMap& map, const torch::Device& device)
{
    const auto values = torch::from_blob(
        const_cast<float*>(map.values.data()), {int64_t(map.values.size())}, torch::kFloat32);
    const auto order = std::get<1>(values.sort(/*stable=*/true, 0, /*descending=*/true));
    auto ranks = torch::empty_like(order);
    ranks.scatter_(0, order, torch::arange(order.numel(), order.options()));
    return ranks.view({1, 1, map.height, map.width}).to(device);
}

// ROAD's imputation: every removed pixel the mean of its eight neighbours (edge neighbours
// weighing twice the diagonal ones), found by Jacobi iterations from a coarse-to-fine guess,
// then perturbed by noise. images: Nx3xHxW, removed: Nx1xHxW (1 = removed).
torch::Tensor noisyLinearImputation(
    const torch::Tensor& images, const torch::Tensor& removed, at::Generator& generator)
{
    const auto kept = 1 - removed;
    // The guess: the kept pixels' local mean at the finest scale that sees any of them.
    auto guess = images.mean(c10::IntArrayRef{2, 3}, true).expand_as(images).clone();
    for (int k : {65, 33, 17, 9, 3}) {
        const auto mean = [k](const torch::Tensor& t) {
            return at::avg_pool2d(t, {k, k}, {1, 1}, {k / 2, k / 2}, false, false);
        };
        const auto weight = mean(kept);
        const auto local = mean(images * kept) / weight.clamp_min(1e-6);
        guess = torch::where(weight > 1e-3, local, guess);
    }
    auto x = images * kept + guess * removed;
    const auto kernel = torch::tensor(
        {1.f / 12, 1.f / 6, 1.f / 12, 1.f / 6, 0.f, 1.f / 6, 1.f / 12, 1.f / 6, 1.f / 12},
        images.options())
                            .view({1, 1, 3, 3})
                            .repeat({3, 1, 1, 1});
    for (int i = 0; i < 24; ++i) {
        const auto padded = at::replication_pad2d(x, {1, 1, 1, 1});
        const auto neighbours = at::conv2d(padded, kernel, c10::optional<torch::Tensor>(),
            at::IntArrayRef{1, 1}, at::IntArrayRef{0, 0}, at::IntArrayRef{1, 1}, 3);
        x = images * kept + neighbours * removed;
    }
    const float spread = (images.max() - images.min()).item<float>();
    return x + normal(x.sizes(), generator, x.options()) * (0.01f * spread) * removed;
}

torch::Tensor plainFill(const torch::Tensor& input, const InputSpec& spec, ImputationFill fill)
{
    return occlusionFill(input, spec,
        fill == ImputationFill::Mean ? AttributionConfig::Fill::Mean
                                     : AttributionConfig::Fill::Blur);
}

// The images with `removed` pixels replaced.
torch::Tensor withRemoved(const torch::Tensor& input, const torch::Tensor& plain,
    const torch::Tensor& removed, ImputationFill fill, at::Generator& generator)
{
    const auto images = input.expand({removed.size(0), -1, -1, -1});
    if (fill == ImputationFill::NoisyLinear)
        return noisyLinearImputation(images, removed, generator);
    return images * (1 - removed) + plain * removed;
}

// The target for every image made by `images(start, count)`, in chunks of `batch`.
std::vector<float> evaluate(const TargetFunction& f, int total, int batch, Progress& progress,
    const std::function<torch::Tensor(int, int)>& images)
{
    torch::NoGradGuard noGrad;
    std::vector<float> out(static_cast<size_t>(total));
    forEachShrinkingBatch(total, batch, [&](int start, int count) {
        progress.checkCancelled();
        const auto values =
            f(images(start, count)).value.to(torch::kCPU, torch::kFloat32).contiguous();
        std::copy(values.data_ptr<float>(), values.data_ptr<float>() + count, out.begin() + start);
        progress.report(double(start + count) / total);
    });
    return out;
}

// Both curves from 2 x steps images in one batched pass: the intact image and the all-filled
// one end one curve and start the other, so each is evaluated once. Image i is the intact
// image (0), the all-filled one (1), deletion step k = i - 1 (i in [2, steps]) or insertion
// step k = i - steps (i in [steps + 1, 2 steps - 1]).
std::pair<PerturbationCurve, PerturbationCurve> perturbationCurves(const TargetFunction& f,
    const torch::Tensor& input, const torch::Tensor& ranks, const InputSpec& spec, int steps,
    ImputationFill fill, int batch, at::Generator& generator, Progress& progress)
{
    const double pixels = double(ranks.numel());
    const auto plain = plainFill(input, spec, fill);
    const auto rankValues = ranks.to(input.dtype());
    const std::vector<float> scores =
        evaluate(f, 2 * steps, batch, progress, [&](int start, int count) {
            std::vector<torch::Tensor> masks;
            for (int i = start; i < start + count; ++i) {
                if (i < 2) {
                    masks.push_back(torch::full_like(rankValues, i == 1 ? 1.0 : 0.0));
                    continue;
                }
                const bool insertion = i > steps;
                const int k = insertion ? i - steps : i - 1;
                const auto chosen = (rankValues < std::round(k * pixels / steps)).to(input.dtype());
                masks.push_back(insertion ? 1 - chosen : chosen);
            }
            return withRemoved(input, plain, torch::cat(masks, 0), fill, generator);
        });
    PerturbationCurve deletion, insertion;
    for (int k = 0; k <= steps; ++k) {
        const float fraction = float(k) / float(steps);
        deletion.fractions.push_back(fraction);
        insertion.fractions.push_back(fraction);
        deletion.scores.push_back(k == 0 ? scores[0]
                : k == steps             ? scores[1]
                                         : scores[size_t(k + 1)]);
        insertion.scores.push_back(k == 0 ? scores[1]
                : k == steps              ? scores[0]
                                          : scores[size_t(k + steps)]);
    }
    deletion.auc = trapezoidArea(deletion.fractions, deletion.scores);
    insertion.auc = trapezoidArea(insertion.fractions, insertion.scores);
    return {deletion, insertion};
}

}  // namespace

std::string toString(ImputationFill fill)
{
    switch (fill) {
    case ImputationFill::Mean: return "mean";
    case ImputationFill::NoisyLinear: return "road";
    default: return "blur";
    }
}

ImputationFill imputationFillFromString(const std::string& name)
{
    if (name == "blur")
        return ImputationFill::Blur;
    if (name == "mean")
        return ImputationFill::Mean;
    if (name == "road" || name == "noisy-linear")
        return ImputationFill::NoisyLinear;
    throw Error("unknown fill '" + name + "' (blur, mean or road)");
}

float trapezoidArea(const std::vector<float>& fractions, const std::vector<float>& scores)
{
    double area = 0;
    for (size_t i = 1; i < fractions.size() && i < scores.size(); ++i)
        area += (double(fractions[i]) - fractions[i - 1]) * (double(scores[i]) + scores[i - 1]) / 2;
    return float(area);
}

AttributionMetrics measureFaithfulness(Model& model, const RgbImage& image,
    const AttributionMap& map, AttributionMethod method, const AttributionTarget& target,
    const FaithfulnessConfig& config, Progress& progress)
{
    auto& d = model.impl();
    const InputSpec& spec = d.metadata.input;
    checkMapFitsInput(map, spec.size);
    if (config.steps < 1)
        throw Error("a faithfulness curve needs at least one step");
    AttributionMetrics m;
    m.quantity = quantityOf(target);
    m.fill = config.fill;
    m.sparseness = giniIndex(map.values);
    m.complexity = normalisedEntropy(map.values);
    if (const auto gap = relativeCompletenessGap(map, method)) {
        m.hasCompleteness = true;
        m.completenessGap = *gap;
    }
    try {
        const TargetFunction f(model, measuredTarget(target));
        const auto input = imageToInput(image, spec).to(d.device);
        const auto ranks = pixelRanks(map, d.device);
        auto generator = seededGenerator(config.seed);
        int batch = std::max(1, config.batch);
        Progress curves(
            [&](double p, const std::string&) { progress.report(p, "deletion / insertion"); },
            progress);
        std::tie(m.deletion, m.insertion) = perturbationCurves(
            f, input, ranks, spec, config.steps, config.fill, batch, generator, curves);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("faithfulness metrics failed: " + firstLine(e.what()));
    }
    return m;
}

float muFidelity(Model& model, const RgbImage& image, const AttributionMap& map,
    const AttributionTarget& target, const MuFidelityConfig& config, Progress& progress)
{
    auto& d = model.impl();
    const InputSpec& spec = d.metadata.input;
    checkMapFitsInput(map, spec.size);
    const int grid = std::clamp(config.grid, 2, spec.size);
    const int cells = grid * grid;
    const int chosen = std::clamp(int(std::lround(config.subsetFraction * cells)), 1, cells - 1);
    try {
        const TargetFunction f(model, measuredTarget(target));
        const auto input = imageToInput(image, spec).to(d.device);
        auto generator = seededGenerator(config.seed);
        // Which cell each pixel lies in, and each sample's random subset of cells.
        const auto edges = (torch::arange(spec.size, torch::kLong) * grid).div(spec.size, "floor");
        const auto cellOf = (edges.view({-1, 1}) * grid + edges.view({1, -1})).view({-1});
        const auto keys = uniform({config.samples, cells}, generator, torch::TensorOptions());
        const auto picked = std::get<1>(keys.topk(chosen, 1));
        auto inSubset = torch::zeros({config.samples, cells});
        inSubset.scatter_(1, picked, 1.f);
        const auto pixelMasks = inSubset.index_select(1, cellOf);  // samples x pixels
        const auto values = torch::from_blob(
            const_cast<float*>(map.values.data()), {int64_t(map.values.size())}, torch::kFloat32);
        const auto attributed = (pixelMasks * values.view({1, -1})).sum(1).to(torch::kDouble);
        const auto plain = plainFill(input, spec, config.fill);
        const float reference = [&] {
            torch::NoGradGuard noGrad;
            return f(input).value.item<float>();
        }();
        const auto scores = evaluate(
            f, config.samples, std::max(1, config.batch), progress, [&](int start, int count) {
                const auto removed = pixelMasks.slice(0, start, start + count)
                                         .view({count, 1, spec.size, spec.size})
                                         .to(input.device(), input.scalar_type());
                return withRemoved(input, plain, removed, config.fill, generator);
            });
        std::vector<double> sums(
            attributed.data_ptr<double>(), attributed.data_ptr<double>() + attributed.numel());
        std::vector<double> drops;
        for (float s : scores)
            drops.push_back(double(reference) - s);
        return pearson(sums, drops);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("MuFidelity failed: " + firstLine(e.what()));
    }
}

HeavyAttributionMetrics measureHeavyMetrics(Model& model, const RgbImage& image,
    const AttributionMap& map, AttributionMethod method, const AttributionTarget& target,
    Progress& progress, std::uint64_t seed)
{
    HeavyAttributionMetrics heavy;
    MuFidelityConfig mu;
    mu.seed = seed;
    Progress first(
        [&](double p, const std::string&) { progress.report(p / 2, "MuFidelity"); }, progress);
    heavy.muFidelity = muFidelity(model, image, map, target, mu, first);
    FaithfulnessConfig road;
    road.fill = ImputationFill::NoisyLinear;
    road.seed = seed;
    Progress second(
        [&](double p, const std::string&) { progress.report(0.5 + p / 2, "ROAD curves"); },
        progress);
    const AttributionMetrics curves =
        measureFaithfulness(model, image, map, method, target, road, second);
    heavy.roadDeletion = curves.deletion;
    heavy.roadInsertion = curves.insertion;
    return heavy;
}

}  // namespace loupe
