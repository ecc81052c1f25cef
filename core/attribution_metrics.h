#pragma once
// How faithful an attribution map is to the model (Petsiuk et al.'s deletion and insertion,
// Bhatt et al.'s MuFidelity, Rong et al.'s ROAD imputation) plus the map-only measures of
// core/map_measures.h, as one record the dock, the exported sidecars and the CLI show.

#include "core/attribution.h"
#include "core/progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

class Model;

// What replaces removed pixels: the image blurred (Petsiuk et al.), its mean colour, or
// ROAD's noisy linear imputation (each removed pixel the weighted mean of its neighbours,
// plus a little noise), which leaves no sharp mask edges for the model to read.
enum class ImputationFill { Blur, Mean, NoisyLinear };
std::string toString(ImputationFill fill);  // "blur", "mean", "road"
ImputationFill imputationFillFromString(const std::string& name);  // throws loupe::Error

struct FaithfulnessConfig {
    int steps = 16;  // points 0, 1/steps, …, 1 of the pixels, in the map's order
    ImputationFill fill = ImputationFill::Blur;
    int batch = 32;  // images per forward: both curves (2 x steps images) in one by default
    std::uint64_t seed = 0;  // ROAD's noise
};

// The target along the removal (deletion) or insertion of pixels, most important first.
struct PerturbationCurve {
    std::vector<float> fractions;  // share of the pixels removed / inserted
    std::vector<float> scores;  // the target at each
    float auc = 0;  // trapezoid over fractions: low for deletion and high for insertion is good
};

struct AttributionMetrics {
    std::string quantity;  // what the curves measure: "probability", "unit value", "layer mean"
    ImputationFill fill = ImputationFill::Blur;
    PerturbationCurve deletion, insertion;
    float sparseness = 0;  // Gini of |map|
    float complexity = 0;  // normalised entropy of |map|
    bool hasCompleteness = false;  // integrated gradients, FullGrad
    float completenessGap = 0;  // relative
};

// Deletion and insertion curves of `map` (over the model-input view of `image`) for `target`,
// batched, plus the map-only measures. A class target is measured as its probability, the
// usual scale of these curves. Throws loupe::Error when the map is not over the model input.
AttributionMetrics measureFaithfulness(Model& model, const RgbImage& image,
    const AttributionMap& map, AttributionMethod method, const AttributionTarget& target,
    const FaithfulnessConfig& config, Progress& progress);

// MuFidelity (Bhatt et al. 2020): the correlation, over random subsets of a grid of cells,
// between the map's sum over the subset and the target's drop when the subset is removed.
struct MuFidelityConfig {
    int samples = 128;
    int grid = 9;  // cells per side
    float subsetFraction = 0.2f;
    ImputationFill fill = ImputationFill::Blur;
    int batch = 16;
    std::uint64_t seed = 0;
};
float muFidelity(Model& model, const RgbImage& image, const AttributionMap& map,
    const AttributionTarget& target, const MuFidelityConfig& config, Progress& progress);

// The heavier measures a user asks for: MuFidelity and the deletion / insertion curves with
// ROAD's imputation instead of a plain fill.
struct HeavyAttributionMetrics {
    float muFidelity = 0;
    PerturbationCurve roadDeletion, roadInsertion;
};
HeavyAttributionMetrics measureHeavyMetrics(Model& model, const RgbImage& image,
    const AttributionMap& map, AttributionMethod method, const AttributionTarget& target,
    Progress& progress, std::uint64_t seed = 0);

// Area under a curve by the trapezoid rule (fractions ascending).
float trapezoidArea(const std::vector<float>& fractions, const std::vector<float>& scores);

}  // namespace loupe
