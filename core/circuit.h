#pragma once

#include "core/image.h"

#include <string>
#include <vector>

namespace loupe {

class Model;

// One input channel's share of a convolution unit's pre-activation (Curve Detectors'
// "attribution = activation x weight" between adjacent layers).
struct CircuitContribution {
    int inputChannel = 0;
    float contribution = 0;  // at the unit's position
    FloatMap map;  // the same product at every output position (where it helps/hurts)
    FloatMap kernel;  // the weights from this input channel to the unit's channel
};

struct CircuitResult {
    bool exact = true;  // activation x weight of a conv; false: gradient x activation
    std::string
        inputLayer;  // the layer whose channels contribute (exact: found by value; may be empty)
    std::string layer;  // the convolution
    int channel = 0;
    int x = 0;
    int y = 0;
    float preActivation = 0;  // bias + sum of all contributions
    float bias = 0;
    float check = 0;  // the conv's captured output at the unit, for comparison
    int stride = 1;
    int padding = 0;
    std::vector<CircuitContribution> contributions;  // strongest (by |value|) first, k of them
};

// For unit `channel` at (x, y) (centre when negative) of a convolution (or a wrapper holding
// one, such as ConvReLU), splits its pre-activation on an image into per-input-channel
// activation x weight terms. Exact for a convolution: the terms plus the bias equal the conv's
// output (checked; stride and padding are inferred from the shapes and verified). Throws
// loupe::Error for grouped convolutions or when the decomposition does not match.
CircuitResult circuitContributions(Model& model, const RgbImage& image, const std::string& layer,
    int channel, int x, int y, int k = 8);

// For any earlier layer feeding the unit (not only the conv's own input): each of its channels'
// gradient x activation, summed over positions — a first-order estimate, not an exact split
// (`exact` is false; there are no kernels). Throws loupe::Error when `inputLayer` does not feed
// the unit.
CircuitResult circuitByGradient(Model& model, const RgbImage& image, const std::string& layer,
    int channel, int x, int y, const std::string& inputLayer, int k = 8);

}  // namespace loupe
