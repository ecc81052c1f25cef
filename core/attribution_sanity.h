#pragma once
// Sanity checks for attribution methods (Adebayo et al. 2018): does the map change when the
// model's weights are randomised, layer block by layer block from the top (cascading
// randomisation), and when a different output is explained (random-target test)? A map that
// stays alike does not explain the model. Randomisation happens in a copy; the open model is
// never touched.

#include "core/attribution.h"
#include "core/map_measures.h"
#include "core/progress.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace loupe {

class Model;

struct SanityConfig {
    float topFraction = 0.05f;  // top-k overlap: this share of the pixels
    // A map is flagged when its rank correlation with the trained model's map stays at or
    // above this once the upper half of the blocks is randomised (it does not depend on the
    // upper layers).
    float flagSpearman = 0.5f;
    // Flagged too when explaining a random other target gives a map at least this alike (maps
    // of different classes share the image's edges: ~0.5 is common for plain gradients).
    float flagRandomTargetSpearman = 0.8f;
    bool randomTarget = true;  // also explain a random other class (or unit of the layer)
    std::uint64_t seed = 0;
};

struct RandomisationStep {
    std::string block;  // the block randomised at this step (those above it already are)
    MapSimilarity similarity;  // to the map of the trained model
};

struct SanityReport {
    std::vector<RandomisationStep> cascade;  // top block first
    bool hasRandomTarget = false;
    AttributionTarget randomTarget;
    MapSimilarity randomTargetSimilarity;
    // Where the verdict is read: the step at which the upper half of the blocks is randomised.
    int upperHalfStep = 0;
    bool flagged = false;
    std::string warning;  // why, for the dock, when flagged
};

// The model's top-level blocks that hold weights, from the output down: the steps of the
// cascade ("fc", "inception_5b", …, "conv1").
std::vector<std::string> randomisationBlocks(Model& model);

// The cascade for any explainer (given the model to explain, the trained one first and then
// the ever more randomised copy). Weights are redrawn from a normal with each tensor's own
// mean and standard deviation, so activations keep their scale. `trained`: the trained
// model's map when the caller has it (else it is computed first).
using Explainer = std::function<AttributionMap(Model& model, Progress& progress)>;
SanityReport cascadingRandomisation(Model& model, const Explainer& explain,
    const SanityConfig& config, Progress& progress, const AttributionMap* trained = nullptr);

// The cascade for an attribution method and target on an image, plus the random-target test.
SanityReport checkAttributionSanity(Model& model, const RgbImage& image,
    const AttributionConfig& config, const SanityConfig& sanity, Progress& progress,
    const AttributionMap* trained = nullptr);

}  // namespace loupe
