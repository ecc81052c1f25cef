#pragma once
// What one learned concept is, as a unit page shows it: its strongest dataset patches (one per
// photo, from the stored vectors), the distribution of its activation, and — to judge whether
// the concept is more than a channel — the channel its direction weighs most with that
// channel's own strongest patches from the same vectors.

#include "core/concept_vectors.h"
#include "core/image.h"
#include "core/sparse_dictionary.h"

#include <string>
#include <vector>

namespace loupe {

class Model;

struct ConceptExample {
    std::string image;  // relative to the store's folder
    int x = 0, y = 0;  // position in the layer's grid
    float activation = 0;
    RgbImage crop;  // the receptive field around (x, y) in the model-input view
};

struct ConceptPage {
    std::string layer;
    int concept = -1;
    std::vector<ConceptExample> examples;  // strongest first, one per photo
    float firingShare = 0;  // share of the stored vectors it is active on
    float maxActivation = 0;
    std::vector<int> histogram;  // of its non-zero activations, bins over [0, maxActivation]
    int topChannel = 0;  // largest weight of its (unit-norm) direction
    float topChannelWeight = 0;  // = cosine between the concept and that channel's axis
    std::vector<ConceptExample> channelExamples;  // that channel's strongest, one per photo
};

constexpr int kConceptHistogramBins = 40;
// Ranked vectors kept per concept: enough for 9 distinct photos when a photo's neighbouring
// positions crowd the top of the list.
constexpr int kConceptTopVectors = 256;

// One concept's summary without an index (one pass, that concept only): the CLI's `top`.
ConceptSummary summariseConcept(
    const SparseDictionary& dictionary, const VectorSet& vectors, int atom);

// The page from the concept's summary (ConceptIndex::summary, or summariseConcept). Throws
// loupe::Error (concept out of range). Photos that cannot be read any more are left out.
ConceptPage makeConceptPage(Model& model, const CollectedVectors& store,
    const SparseDictionary& dictionary, const ConceptSummary& summary, int concept, int examples,
    int cropSize);

// Indices into the store of the first `count` vectors of `ranked` from distinct photos.
std::vector<std::int64_t> onePerPhoto(
    const CollectedVectors& store, const std::vector<std::int64_t>& ranked, int count);

}  // namespace loupe
