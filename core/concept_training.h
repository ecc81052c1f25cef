#pragma once
// Training a layer's concept dictionary the way the app and the CLI both do it: train, measure
// (R², L0, dead/dense, stability against a second seed if asked), index every concept for
// its page, test the model's top-1 agreement with the layer replaced by its reconstruction,
// and keep all of it as the layer's dictionary in the workspace.

#include "core/concept_dictionary_store.h"
#include "core/concept_vectors.h"

#include <functional>

namespace loupe {

class Model;
class Workspace;

struct TrainedConcepts {
    ConceptDictionaryRecord record;
    ConceptIndex index;
    struct Seconds {  // wall time per stage (benchmarks)
        double training = 0, measuring = 0, secondSeed = 0, indexing = 0, agreement = 0;
    } seconds;
};

struct ConceptTrainingOptions {
    SparseDictionaryConfig config;
    bool secondSeed = false;  // train a second dictionary (seed + 1) for the stability score
    int agreementImages = 64;  // photos of the store's folder, evenly spread; 0 skips the test
};

// With a workspace the result replaces the layer's dictionary there (best effort: a full disk
// never costs the result). Cancelled during training: the last checkpoint is kept there,
// marked unfinished and without an index, `checkpointKept` is told, and loupe::Cancelled
// propagates. The agreement is left out when the photos cannot be read any more or the model
// is not a classifier. Throws loupe::Error.
TrainedConcepts trainConcepts(Model& model, Workspace* workspace, const CollectedVectors& vectors,
    const ConceptTrainingOptions& options, Progress& progress,
    const std::function<void(const TrainingStep&)>& onStep = {},
    const std::function<void(const ConceptDictionaryRecord&)>& checkpointKept = {});

}  // namespace loupe
