#pragma once

#include "core/image.h"
#include "core/progress.h"

#include <string>
#include <vector>

namespace loupe {

class Model;
class Workspace;

// A family of units as one figure, the way the Curve Detectors article shows them: a row per
// unit with its feature visualization and its strongest dataset examples (receptive-field
// crops from the workspace's latest scan).
struct UnitSheetRow {
    std::string layer;
    int channel = 0;
    RgbImage featureVis;  // the channel's latest render, or a thumbnail render
    std::vector<RgbImage> examples;  // strongest first; empty without a scan of this layer
    std::vector<float> values;  // their activations
};

// Feature visualizations missing from the workspace are rendered (thumbnail settings, batched)
// and cached. Throws loupe::Error for an unknown layer or a channel out of range.
std::vector<UnitSheetRow> unitSheet(Model& model, Workspace& workspace, const std::string& layer,
    const std::vector<int>& channels, int examplesPerUnit, int tileSize, Progress& progress);

// The rows drawn on white: unit name and peak activation, feature visualization, examples.
RgbImage unitSheetImage(const std::vector<UnitSheetRow>& rows, int tileSize);

// The figure's JSON sidecar: the model, the units, their examples' activations, the settings.
std::string unitSheetSidecar(const std::vector<UnitSheetRow>& rows, const std::string& modelPath,
    const std::string& modelHash, int examplesPerUnit, int tileSize);

}  // namespace loupe
