#pragma once
// Circuit editing (Curve Detectors, "ablate the curve family and see what breaks"): a list of
// edits applied to a copy of the open model. The file the user opened is never changed; an
// edited copy can be saved as a new TorchScript file whose loupe.json lists the edits.

#include "core/json.h"

#include <memory>
#include <string>
#include <vector>

namespace loupe {

class Model;
class Workspace;

struct ModelEdit {
    enum class Kind {
        ZeroUnit,  // the channel's output is 0 everywhere, for every image
        MeanUnit,  // the channel's output is its dataset mean (from the latest scan) everywhere
        CutWeights,  // the kernel from one input channel to one output channel of a conv is 0
    };
    Kind kind = Kind::ZeroUnit;
    std::string layer;  // module path (aliases are resolved when the edit is applied)
    int channel = 0;  // the unit: an output channel of `layer`
    int inputChannel = -1;  // CutWeights: the input channel of the conv
    double value = 0;  // MeanUnit: the value the channel is held at (filled by fillScanMeans)

    // "zero L:C", "mean L:C=0.412", "cut L:C<-I": what the edit list shows and the CLI reads.
    std::string toString() const;
    static ModelEdit parse(const std::string& text);  // throws loupe::Error
    Json toJson() const;
    static ModelEdit fromJson(const Json& json);  // throws loupe::Error
    bool operator==(const ModelEdit& other) const;
};

struct EditList {
    std::vector<ModelEdit> edits;

    bool empty() const { return edits.empty(); }
    Json toJson() const;
    static EditList fromJson(const Json& json);  // throws loupe::Error
    // SHA-256 of the JSON: the edited model's identity (its caches are kept apart).
    std::string digest() const;
    // Adds `edit` unless the same edit is listed; an edit of the same unit (zero vs mean)
    // replaces the earlier one. Returns whether the list changed.
    bool add(const ModelEdit& edit);
};

// One edit per channel: zero (or mean) every channel of a family, e.g. "L:c1,c2,c3".
std::vector<ModelEdit> unitEdits(
    ModelEdit::Kind kind, const std::string& layer, const std::vector<int>& channels);

// Mean-ablation values from the workspace's latest scan: the mean of each channel's output
// after the layer's ReLU (the scan keeps pre-ReLU statistics; the positive part's mean comes
// from their histogram), or the plain mean when `layerEndsInRelu` says the layer has none.
// Throws loupe::Error when the scan lacks one of the layers.
void fillScanMeans(EditList& edits, const Workspace& workspace, Model& model);

// A copy of `model` with the edits applied to its weights: a unit is held at its value by
// zeroing the weights of the convolution (or batch norm, or linear layer) that produces its
// channel and setting that channel's bias; a cut zeroes one kernel. The copy's hash is the
// original's combined with the edits' digest. Each unit edit is verified on a random input
// (the channel must read exactly its value at the layer's output, so an operation between the
// producer and the layer's output that mixes channels is refused by name). Throws loupe::Error.
std::unique_ptr<Model> applyEdits(const Model& model, const EditList& edits);

// The parameters and buffers whose values differ between two copies of one model (by name,
// sorted): what an edit list changed, and proof that it changed nothing else.
std::vector<std::string> parametersThatDiffer(Model& a, Model& b);

// The edited model as a new TorchScript file (written atomically; never over the model it was
// made from), with loupe.json carrying the original metadata plus "edits" and "edited_from"
// (the original file's hash). Throws loupe::Error.
void saveEditedModel(
    Model& edited, const EditList& edits, const std::string& originalHash, const std::string& path);

// The mean of a channel's values after a ReLU, from scan statistics of its pre-ReLU values
// (the histogram's positive bins at their centres: within a bin's width, 1/16 octave).
double positivePartMean(const struct ChannelStatistics& statistics);

}  // namespace loupe
