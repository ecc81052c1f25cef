#pragma once

#include "core/featurevis.h"

namespace loupe {

class Model;

// "What does the network see" (Building Blocks of Interpretability): the image divided into
// cells of a layer's grid (average-pooled to at most maxCells x maxCells), each drawn as the
// feature visualization of that cell's activation vector (a direction objective), all cells
// optimised as one batch. Cells whose activation is nearly zero stay blank.
struct ActivationGridVis {
    std::string layer;
    int columns = 0;
    int rows = 0;
    std::vector<RgbImage> cells;  // row-major, empty image for a blank cell
    RgbImage mosaic;  // the cells side by side
};

ActivationGridVis renderActivationGrid(Model& model, const RgbImage& image,
    const std::string& layer, int maxCells, const FeatureVisConfig& base, Progress& progress);

}  // namespace loupe
