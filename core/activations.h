#pragma once

#include "core/image.h"

#include <string>
#include <vector>

namespace loupe {

class Model;

struct Prediction {
    int index = 0;
    std::string label;
    float probability = 0.f;
};

// One layer's response to one image, reduced to plain numbers for panels and the CLI.
struct LayerActivations {
    std::string layer;
    bool preRelu = false;
    int channels = 0;
    int height = 1;  // 1x1 for non-spatial layers (e.g. a linear classifier)
    int width = 1;
    std::vector<float> values;  // channels * height * width
    std::vector<float> channelMean;  // per channel, over positions
    std::vector<float> channelMax;
    std::vector<bool> dead;  // every position exactly zero
    std::vector<Prediction> predictions;  // model's top-k, when it is a classifier

    FloatMap channelMap(int channel) const;
    int deadCount() const;
};

// Runs the model on an image (preprocessed by its metadata) under inference mode and returns
// the layer's activations, plus the top-k predictions from the same forward pass.
// Throws loupe::Error on an unknown layer or a failed forward.
LayerActivations computeActivations(Model& model, const RgbImage& image, const std::string& layer,
    bool preRelu = false, int topK = 5);

}  // namespace loupe
