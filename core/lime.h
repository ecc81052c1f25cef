#pragma once
// LIME for images (Ribeiro et al. 2016): the target (any attribution target: class logit or
// probability, unit, layer, concept) on random on/off combinations of superpixels, explained by
// a weighted ridge regression on the on/off pattern. Also an attribution method ("lime"), so it
// shares the dock, the cache and the faithfulness measures of every other map.

#include "core/attribution.h"
#include "core/superpixels.h"

#include <vector>

namespace loupe {

class Model;

struct LimeExplanation {
    Superpixels superpixels;  // over the model-input view
    std::vector<float> weights;  // one per superpixel: the target's change when it is shown
    float intercept = 0;  // the fit's value with every superpixel hidden
    float fitR2 = 0;  // weighted R^2 of the linear fit on the samples
    int samples = 0;
    float targetValue = 0;  // with nothing hidden
    RgbImage inputView;

    // Superpixels by weight, strongest positive first (negative ones last).
    std::vector<int> ranked() const;
    // Each pixel painted with its superpixel's weight (a signed map).
    AttributionMap map() const;
};

// Uses config.target, limeSamples, superpixels, fill (hidden superpixels: mean, blur, grey or
// black), batch (at least 32 images per forward) and seed. Throws loupe::Error / Cancelled.
LimeExplanation explainWithLime(
    Model& model, const RgbImage& image, const AttributionConfig& config, Progress& progress);

}  // namespace loupe
