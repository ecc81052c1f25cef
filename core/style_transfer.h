#pragma once
// Neural style transfer (Gatys, Ecker, Bethge 2016) on any CNN Loupe opens: an image whose
// features at a content layer match the content photo's and whose Gram matrices at several
// style layers match the style photo's. Both losses are relative (divided by the target's
// energy), so the default weights mean the same on any model. Optimised with the feature-vis
// machinery (decorrelated pixels, Adam) from the content photo.

#include "core/image.h"
#include "core/progress.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace loupe {

class Model;

struct StyleConfig {
    std::string contentLayer;  // empty: defaultStyleLayers()
    std::vector<std::string> styleLayers;  // empty: defaultStyleLayers()
    std::vector<float> styleLayerWeights;  // one per style layer; empty: equal
    float contentWeight = 1.f;
    float styleWeight = 10.f;
    int steps = 300;
    float learningRate = 0.03f;
    int size = 0;  // 0: the model's input size
    bool startFromContent = true;  // false: from noise, as in the paper's figures
    std::uint64_t seed = 0;

    std::string cacheKey() const;
};

// A content layer about two thirds up the spatial layers and up to five style layers spread
// from the first to it (the top-level, capturable, spatial layers of at least 1/16 the input).
// Throws loupe::Error when the model has no such layers.
void chooseDefaultStyleLayers(const Model& model, StyleConfig& config);

struct StyleTransfer {
    RgbImage content;  // both photos as the model sees them
    RgbImage style;
    RgbImage result;
    std::string contentLayer;
    std::vector<std::string> styleLayers;
    std::vector<float> contentLoss;  // per step, relative, unweighted
    std::vector<float> styleLoss;  // per step, weighted mean over the style layers
};

using StylePreview =
    std::function<void(const RgbImage& image, int step, float contentLoss, float styleLoss)>;

// Throws loupe::Error for an unknown layer, a style layer without spatial output (no Gram
// matrix), a photo giving all-zero features at a layer, bad weights; loupe::Cancelled.
StyleTransfer transferStyle(Model& model, const RgbImage& content, const RgbImage& style,
    const StyleConfig& config, Progress& progress, const StylePreview& preview = {});

}  // namespace loupe
