#include "core/attribution_sanity.h"

#include "core/error.h"
#include "core/model.h"
#include "core/torch/model_impl.h"
#include "core/torch/random.h"

#include <random>
#include <sstream>

namespace loupe {
namespace {

bool startsWith(const std::string& s, const std::string& prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

// Redraws every weight of `block` from a normal with that tensor's own mean and spread.
void randomiseBlock(Model& copy, const std::string& block, at::Generator& generator)
{
    torch::NoGradGuard noGrad;
    for (const auto& p : copy.impl().module.named_parameters(true)) {
        if (!startsWith(p.name, block + "."))
            continue;
        auto w = p.value;
        const bool spread = w.numel() > 1;
        const double mean = w.mean().item<double>();
        const double sd = spread ? w.std().item<double>() : std::abs(mean);
        w.copy_(normal(w.sizes(), generator, w.options()) * sd + (spread ? mean : 0.0));
    }
}

AttributionTarget randomOtherTarget(
    Model& model, const AttributionTarget& target, std::uint64_t seed)
{
    AttributionTarget other = target;
    const int choices = target.kind == AttributionTarget::Kind::Unit
        ? int(model.layer(target.layer).channels())
        : model.numClasses();
    std::mt19937_64 random(seed + 0x5eed);
    other.index = int(random() % std::uint64_t(choices - 1));
    if (other.index >= target.index)
        ++other.index;  // any but the explained one
    return other;
}

std::string twoDigits(float v)
{
    std::ostringstream s;
    s.precision(2);
    s << v;
    return s.str();
}

}  // namespace

std::vector<std::string> randomisationBlocks(Model& model)
{
    std::vector<std::string> blocks;
    for (const auto& child : model.impl().module.named_children()) {
        const auto parameters = child.value.named_parameters(true);
        if (parameters.begin() != parameters.end())
            blocks.push_back(child.name);
    }
    return {blocks.rbegin(), blocks.rend()};
}

SanityReport cascadingRandomisation(Model& model, const Explainer& explain,
    const SanityConfig& config, Progress& progress, const AttributionMap* trained)
{
    const auto blocks = randomisationBlocks(model);
    if (blocks.empty())
        throw Error("the model has no weights to randomise");
    const double steps = double(blocks.size() + 1);
    const auto stage = [&](size_t i, const std::string& what) {
        return Progress(
            [&, i, what](double f, const std::string&) { progress.report((i + f) / steps, what); },
            progress);
    };
    Progress first = stage(0, "trained model");
    const AttributionMap original = trained ? *trained : explain(model, first);
    const auto copy = model.copy();
    auto generator = seededGenerator(config.seed);
    SanityReport report;
    for (size_t i = 0; i < blocks.size(); ++i) {
        progress.checkCancelled();
        randomiseBlock(*copy, blocks[i], generator);
        Progress step = stage(i + 1, "randomised down to " + blocks[i]);
        const AttributionMap map = explain(*copy, step);
        report.cascade.push_back({blocks[i], compareMaps(original, map, config.topFraction)});
    }
    report.upperHalfStep = int(blocks.size() + 1) / 2 - 1;
    const auto& verdict = report.cascade[size_t(report.upperHalfStep)];
    report.flagged = verdict.similarity.spearman >= config.flagSpearman;
    if (report.flagged)
        report.warning = "this map does not depend on the model's upper layers: randomised "
                         "down to " +
            verdict.block + ", it is still alike (Spearman " +
            twoDigits(verdict.similarity.spearman) + ")";
    return report;
}

SanityReport checkAttributionSanity(Model& model, const RgbImage& image,
    const AttributionConfig& config, const SanityConfig& sanity, Progress& progress,
    const AttributionMap* trained)
{
    const bool randomTarget = sanity.randomTarget &&
        ((config.target.kind == AttributionTarget::Kind::Unit &&
             model.layer(config.target.layer).channels() > 1) ||
            ((config.target.kind == AttributionTarget::Kind::Logit ||
                 config.target.kind == AttributionTarget::Kind::Probability) &&
                model.numClasses() > 1));
    const double share = randomTarget ? 0.9 : 1.0;
    Progress cascade(
        [&](double f, const std::string& text) { progress.report(f * share, text); }, progress);
    const AttributionMap original = trained ? *trained : attribute(model, image, config, cascade);
    SanityReport report = cascadingRandomisation(
        model, [&](Model& m, Progress& p) { return attribute(m, image, config, p); }, sanity,
        cascade, &original);
    if (randomTarget) {
        Progress both(
            [&](double f, const std::string&) { progress.report(0.9 + f / 10, "random target"); },
            progress);
        AttributionConfig other = config;
        other.target = randomOtherTarget(model, config.target, sanity.seed);
        report.hasRandomTarget = true;
        report.randomTarget = other.target;
        report.randomTargetSimilarity =
            compareMaps(original, attribute(model, image, other, both), sanity.topFraction);
        if (report.randomTargetSimilarity.spearman >= sanity.flagRandomTargetSpearman) {
            report.flagged = true;
            report.warning += std::string(report.warning.empty() ? "this map" : "; it") +
                " hardly depends on the target: explaining " + other.target.toString() +
                " instead gives a map this alike (Spearman " +
                twoDigits(report.randomTargetSimilarity.spearman) + ")";
        }
    }
    return report;
}

}  // namespace loupe
