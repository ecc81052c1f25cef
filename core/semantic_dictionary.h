#pragma once

#include "core/activations.h"
#include "core/sparse_dictionary.h"

#include <vector>

namespace loupe {

// Where a point of the original image lands in a layer's grid, following the model's
// preprocessing (shorter side resized to the input size, centre crop).
struct LayerCell {
    int x = 0;
    int y = 0;
};

// Maps a box (original-image pixels; width/height 0 = a single point) to the range of layer
// cells it covers. Throws loupe::Error when the box is outside the image or entirely in the
// part the centre crop cuts away.
struct CellRange {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // inclusive
};
CellRange cellsForBox(int imageWidth, int imageHeight, int inputSize, int layerWidth,
    int layerHeight, double x, double y, double boxWidth = 0, double boxHeight = 0);

// The inverse, for drawing: the original-image rectangle of one layer cell.
struct ImageRect {
    double x = 0, y = 0, width = 0, height = 0;
};
ImageRect imageRectOfCell(int imageWidth, int imageHeight, int inputSize, int layerWidth,
    int layerHeight, int cellX, int cellY);

struct DictionaryEntry {
    int channel = 0;
    float value = 0;  // mean post-ReLU activation over the cells
    float share = 0;  // of the total activation there
};

// The semantic dictionary of a region (Olah et al., Building Blocks): the channels active
// there, strongest first, k of them (all active ones if k <= 0). Only slices and sorts the
// already computed activations, so it is instant. Throws loupe::Error for a layer without
// spatial extent.
std::vector<DictionaryEntry> semanticDictionary(
    const LayerActivations& activations, const CellRange& cells, int k);

// The same in a learned concept dictionary's terms: each cell's vector encoded, the codes
// averaged over the cells; `channel` is then the concept's index, `share` its part of the
// summed codes. Throws loupe::Error when the dictionary does not fit the layer.
std::vector<DictionaryEntry> conceptDictionary(const LayerActivations& activations,
    const CellRange& cells, const SparseDictionary& dictionary, int k);

}  // namespace loupe
