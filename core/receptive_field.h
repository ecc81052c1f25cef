#pragma once

#include "core/image.h"
#include "core/unit_statistics.h"

#include <string>

namespace loupe {

class Model;
class Workspace;

// Where a layer's unit at (x, y) looks in the model input (input pixels).
struct ReceptiveField {
    int size = 0;  // side of the square region that can influence a unit
    double stride = 1;  // input pixels per layer position
    double offset = 0;  // input coordinate of position 0's centre
    int centreX(int x) const { return int(offset + x * stride); }
    int centreY(int y) const { return int(offset + y * stride); }
};

// Measured, not read from the graph: the support of the gradient of the layer's centre unit
// (pre-ReLU) with respect to the input, united over a few random inputs (so that max-pool
// routing and ReLU gating do not hide parts of it). Works for any architecture, traced or
// scripted; it can under-estimate the theoretical field where weights are exactly zero.
ReceptiveField estimateReceptiveField(Model& model, const std::string& layer);

// The same, measured once per workspace (fields depend on the model only).
ReceptiveField cachedReceptiveField(Model& model, Workspace& workspace, const std::string& layer);

// The dataset example as shown: the model-input view of the image (resize + centre crop)
// cropped to the receptive field around (x, y) — shifted inside the view when the field
// reaches over its border, grey padding only for a field larger than the view — or the whole
// view with the field outlined; scaled to outSize x outSize.
RgbImage exampleImage(const RgbImage& original, int inputSize, const ReceptiveField& field, int x,
    int y, bool wholeImage, int outSize);

}  // namespace loupe
