#pragma once

#include "core/image.h"

#include <string>
#include <vector>

namespace loupe {

class Model;

// One input channel's kernel inside a filter.
struct KernelSlice {
    int inputChannel = 0;
    float strength = 0.f;  // L2 norm of the kernel, used to order inputs
    FloatMap weights;
};

// A convolution layer's filters, ready to draw.
struct LayerWeights {
    std::string layer;  // the layer asked for
    std::string weightPath;  // where the weights live, e.g. "conv1.conv.weight"
    int outChannels = 0;
    int inChannels = 0;
    int kernelHeight = 0;
    int kernelWidth = 0;
    bool seesInput = false;  // 3 input channels: drawn as colour images
    std::string unavailable;  // why this layer has no filter bank to show, if so
    std::vector<RgbImage> colourFilters;  // when seesInput: one RGB image per filter
    std::vector<std::vector<KernelSlice>> kernels;  // otherwise: per filter, strongest inputs first
};

// Reads the 4-D weight of a conv layer (or of the single convolution inside a wrapper such
// as ConvReLU). Throws loupe::Error when the layer has no convolution weight.
LayerWeights layerWeights(Model& model, const std::string& layer, int maxInputsPerFilter = 8);

// Like layerWeights, but a layer without a single convolution (a block, a pool) is not an
// error: the result says why in `unavailable`. Unknown layers still throw.
LayerWeights layerWeightsIfAny(Model& model, const std::string& layer, int maxInputsPerFilter = 8);

}  // namespace loupe
