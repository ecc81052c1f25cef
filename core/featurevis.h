#pragma once

#include "core/image.h"
#include "core/progress.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace loupe {

class Model;

// One term of a feature-visualization objective (Olah et al. 2017, Lucid's objectives).
struct ObjectiveTerm {
    enum class Kind {
        Neuron,  // one channel at one position (centre if x, y are -1)
        Channel,  // mean of a channel over positions
        Layer,  // DeepDream: mean of squares of the whole layer
        Logit,  // a class logit of the model output
        Probability,  // softmax probability of a class
        Direction,  // mean over positions of <activation, direction>
    };
    Kind kind = Kind::Channel;
    std::string layer;  // unused for Logit/Probability
    int channel = -1;  // channel, or class index for Logit/Probability
    int x = -1;
    int y = -1;
    std::vector<float> direction;  // for Direction: one weight per channel
    float weight = 1.f;

    // "channel:conv2:5", "neuron:mixed3:7@4,4", "layer:mixed3", "logit:3", "probability:3",
    // "direction:NAME" (saved), "concept:LAYER:INDEX" (a learned concept's direction),
    // terms joined by '+', each optionally scaled "0.5*channel:conv2:5". Units "L:C" alone
    // mean channel objectives. Throws loupe::Error on malformed text.
    static std::vector<ObjectiveTerm> parse(const std::string& text);
    std::string toString() const;
};

struct FeatureVisConfig {
    // Pixel: plain pixels; Fourier: 1/f spectrum (Lucid default); Upscaling: pixels optimised
    // at 1/4 size, upscaled and blurred, then 1/2, then full size (the older recipe).
    enum class Parameterization { Pixel, Fourier, Upscaling };

    std::vector<ObjectiveTerm> objective;  // summed, for every image of the batch
    // Per-image channel objectives: image i maximises channel perImageChannels[i] of
    // perImageLayer (used to render a whole layer in batches). Overrides `objective`.
    std::string perImageLayer;
    std::vector<int> perImageChannels;
    // Per-image directions in perImageLayer's channel space (the activation grid: one image
    // per cell, each towards that cell's activation vector). Overrides `objective`.
    std::vector<std::vector<float>> perImageDirections;

    Parameterization parameterization = Parameterization::Fourier;
    bool decorrelateColour = true;
    int size = 128;
    int steps = 256;
    float learningRate = 0.05f;
    std::uint64_t seed = 0;
    int batch = 1;  // images optimised together (ignored with perImageChannels)
    float diversity = 0.f;  // Gram-matrix dissimilarity weight across the batch
    bool transformationRobustness = true;  // jitter, scale, rotate every step
    float jitterPixels = 12.f;
    float scaleRange = 0.1f;  // uniform in [1 - r, 1 + r]
    float rotateDegrees = 10.f;
    float l1 = 0.f;  // penalties on the image (centred at 0.5)
    float l2 = 0.f;
    float totalVariation = 0.f;
    bool negative = false;  // minimise instead: what inhibits the unit
    bool preRelu = false;  // objectives read layers before their final ReLU, so units
        // that are silent on the start image still get a gradient
    int previewEvery = 16;  // steps between preview callbacks (0: never)
    bool runWholeNetwork = false;  // benchmarks only: do not cut the graph after the target layer

    std::string cacheKey() const;  // every parameter that changes the result
};

struct FeatureVisResult {
    std::vector<RgbImage> images;
    std::vector<float> objectiveHistory;  // mean objective over the batch, per step
    float initialObjective = 0.f;  // measured without transforms, before step 1
    float finalObjective = 0.f;  // measured without transforms, after the last step
    int stepsDone = 0;
    std::string warning;  // e.g. stopped on NaN
};

using FeatureVisPreview =
    std::function<void(const std::vector<RgbImage>& images, int step, float objective)>;

// Optimises input images for the objective (Lucid recipe: Fourier parameterization with 1/f
// scaling, decorrelated colour, transformation robustness, Adam). Deterministic for a seed;
// image i of a batch gets seed + i, so batched and one-by-one renders agree.
// Throws loupe::Error for objectives the model cannot serve (unknown layer, channel out of
// range, spatial objective on a non-spatial layer, logit without a classifier) and
// loupe::Cancelled when cancelled.
FeatureVisResult renderFeatureVis(Model& model, const FeatureVisConfig& config, Progress& progress,
    const FeatureVisPreview& preview = {});

// Objective value of the given objective for a natural image (no transforms).
float objectiveValue(
    Model& model, const std::vector<ObjectiveTerm>& objective, const RgbImage& image);

}  // namespace loupe
