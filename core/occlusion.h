#pragma once

#include "core/attribution.h"
#include "core/image.h"
#include "core/progress.h"

#include <functional>
#include <vector>

namespace loupe {

class Model;

// Zeiler & Fergus' third occlusion map: the model's top-1 class with the occluder at each
// position (a categorical map), evaluated in batches. Cells are occluder positions on a grid:
// cell (i, j) is the patch whose top-left corner is (i * stride, j * stride) in the model input.
struct OcclusionClassMap {
    int columns = 0;
    int rows = 0;
    int patch = 0;
    int stride = 0;
    int inputSize = 0;
    int unoccludedClass = -1;  // the prediction without an occluder
    std::vector<int> classes;  // rows * columns; -1 while not yet evaluated
    std::vector<float> probabilities;  // of that class
    RgbImage inputView;

    // Distinct classes, most frequent first, with their cell counts.
    std::vector<std::pair<int, int>> legend() const;
};

// Uses config.patch, stride, fill and batch. `partial` sees the map after every batch.
// Throws loupe::Error for a model without classes or a patch that does not fit.
OcclusionClassMap occlusionTopClasses(Model& model, const RgbImage& image,
    const AttributionConfig& config, Progress& progress,
    const std::function<void(const OcclusionClassMap&)>& partial = {});

}  // namespace loupe
