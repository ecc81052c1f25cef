#pragma once
// A layer's learned concept dictionary as the app keeps it in the model's workspace: the
// dictionary, how it was trained, its quality (R², L0, dead and dense atoms, the model's
// agreement with the layer replaced, stability across seeds), how often each concept fires,
// and the names a user gave concepts. One per layer; a newer training replaces it. The
// vectors it was learned from live in a store beside the workspace file.

#include "core/attribution.h"
#include "core/concept_replacement.h"
#include "core/sparse_dictionary.h"

#include <optional>
#include <string>
#include <vector>

namespace loupe {

class Workspace;

struct ConceptDictionaryRecord {
    std::string layer;
    SparseDictionaryConfig config;
    SparseDictionary dictionary;
    DictionaryQuality quality;
    std::optional<ReplacementAgreement> agreement;
    std::optional<float> stability;  // mean matched cosine to a second seed's dictionary
    std::int64_t vectors = 0;  // learned from
    int images = 0;
    bool finished = true;  // false: training was cancelled; this is its last checkpoint
    std::vector<std::string> names;  // per concept, "" when unnamed
    std::vector<TrainingStep> history;  // the training's curves, as they were reported
};

// Where the layer's activation vectors are collected: a folder beside the workspace file.
std::string conceptStoreDirectory(const Workspace& workspace, const std::string& layer);

// The dictionary, its record and its concept index (when given) in one transaction, replacing
// the layer's earlier ones. Throws loupe::Error when the workspace cannot be written.
void saveConceptDictionary(Workspace& workspace, const ConceptDictionaryRecord& record,
    const ConceptIndex* index = nullptr);
// Nothing when the layer's dictionary has no index (a cancelled training's checkpoint).
std::optional<ConceptIndex> loadConceptIndex(const Workspace& workspace, const std::string& layer);
// Names (or, with an empty name, unnames) one concept. Throws loupe::Error.
void nameConcept(
    Workspace& workspace, const std::string& layer, int concept, const std::string& name);
// Nothing when the layer has no dictionary; throws loupe::Error when it is damaged.
std::optional<ConceptDictionaryRecord> loadConceptDictionary(
    const Workspace& workspace, const std::string& layer);
std::vector<std::string> conceptDictionaryLayers(const Workspace& workspace);

// Fills a concept target's direction from the layer's dictionary in the workspace; other
// targets are left alone. Throws loupe::Error (no dictionary, concept out of range).
void resolveConceptTarget(AttributionTarget& target, const Workspace* workspace);

// "concept:LAYER:INDEX", or the concept's name when it has one ("dog snouts").
std::string conceptId(const std::string& layer, int concept);
std::string conceptLabel(const ConceptDictionaryRecord& record, int concept);

}  // namespace loupe
