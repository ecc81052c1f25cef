#pragma once
// What one unit is, on one page (OpenAI Microscope's unit page): the pieces that are not
// already elsewhere in core — a stable link to the unit, the feature visualizations the page
// shows, the unit's neighbours in the adjacent layers, and its orientation tuning when a
// sweep that measured it is in the workspace.

#include "core/featurevis.h"
#include "core/image.h"
#include "core/progress.h"

#include <optional>
#include <string>
#include <vector>

namespace loupe {

class Model;
class Workspace;
struct LayerInfo;

// loupe://<model-hash>/<layer>/<channel>: names a unit of one exact model file, so a link in
// a paper's notes or a chat opens the same unit (or says that the model differs).
struct UnitLink {
    std::string modelHash;
    std::string layer;
    int channel = 0;
    std::string toString() const;
};
// Reads a link; nullopt when the text is not one (surrounding blanks are ignored).
std::optional<UnitLink> parseUnitLink(const std::string& text);

// The unit's layer (by path or alias) when the model has it and the channel is in range;
// otherwise loupe::Error saying which (an unknown layer, or how many channels it has).
const LayerInfo& checkedUnit(const Model& model, const std::string& layer, int channel);

// The page's feature visualizations, in the order shown: the channel (mean over positions),
// the neuron at the centre, the negative channel (what inhibits it) and a diversity batch of
// four. Same recipe as the Neuron dock at `size` pixels, so renders are shared through the
// workspace cache.
struct UnitPageRender {
    std::string caption;  // "Channel", "Neuron (centre)", ...
    FeatureVisConfig config;
};
std::vector<UnitPageRender> unitPageRenders(const std::string& layer, int channel, int size);

// The spatial layers with weights of the same depth just before and after `layer` (for
// GoogLeNet's inception_3b: inception_3a and inception_4a, skipping the pool between);
// empty when there is none.
struct AdjacentLayers {
    std::string previous;
    std::string next;
};
AdjacentLayers adjacentLayers(const Model& model, const std::string& layer);

// The unit's strongest inputs and outputs on one image (its strongest dataset example,
// usually, at its strongest position x, y; -1: the centre). Inputs: the previous layer's
// channels by gradient x activation at that position (first order, circuitByGradient).
// Outputs: the next layer's channels whose summed activation drops the most when the unit is
// zeroed (an edited copy of the model, never the open one). Reports each of its four stages
// and stops between them when cancelled.
struct UnitNeighbour {
    std::string layer;
    int channel = 0;
    float value = 0;  // inputs: gradient x activation; outputs: activation lost without the unit
};
struct UnitNeighbours {
    std::vector<UnitNeighbour> inputs;  // strongest (by |value|) first
    std::vector<UnitNeighbour> outputs;  // largest drop first
    std::string inputsProblem;  // why a side is empty (no such layer, a refused edit), if so
    std::string outputsProblem;
};
UnitNeighbours unitNeighbours(Model& model, const RgbImage& image, const std::string& layer,
    int channel, int x, int y, int k, Progress& progress);

// The unit's response to each orientation (radial tuning), from the largest sweep of its
// layer in the workspace that measured it; nullopt when none did.
struct UnitOrientationTuning {
    std::vector<float> degrees;
    std::vector<float> response;
    std::string stimulus;  // the sweep's stimulus kind, e.g. "curve"
};
std::optional<UnitOrientationTuning> cachedOrientationTuning(
    const Workspace& workspace, const std::string& layer, int channel);

}  // namespace loupe
