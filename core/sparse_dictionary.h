#pragma once
// Learned concept dictionaries (sparse autoencoders) over a layer's activation vectors: a TopK
// SAE (Gao et al. 2024) whose decoder atoms are unit-norm directions of the layer, trained in
// LibTorch, with the measures the field reports for one (explained variance, L0, dead and dense
// atoms) and the stability of two seeds' dictionaries (mean Hungarian-matched cosine).

#include "core/progress.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace loupe {

// n vectors of `dimensions` floats, row-major.
struct VectorSet {
    int dimensions = 0;
    std::vector<float> values;
    std::int64_t count() const { return dimensions ? std::int64_t(values.size()) / dimensions : 0; }
};

struct SparseDictionaryConfig {
    int atoms = 512;
    int k = 16;  // atoms active per vector
    int steps = 2000;
    int batch = 1024;
    float learningRate = 1e-3f;
    // An atom that fired on none of the last `deadAfter` vectors is dead; dead atoms learn from
    // the auxiliary loss (the residual reconstructed by the top `auxK` dead atoms; Gao et al.).
    std::int64_t deadAfter = 100000;
    int auxK = 256;
    float auxWeight = 1.f / 32;
    std::uint64_t seed = 0;
};

struct SparseDictionary {
    int dimensions = 0, atoms = 0, k = 0;
    std::vector<float> encoder;  // atoms x dimensions
    std::vector<float> encoderBias;  // atoms
    std::vector<float> decoder;  // atoms x dimensions, unit-norm rows: the concept directions
    std::vector<float> centre;  // dimensions: subtracted before encoding, added after decoding
};

struct TrainingStep {
    int step = 0;
    float loss = 0;  // mean squared error per element
    float explainedVariance = 0;  // of the batch
    float deadShare = 0;
};

// Throws loupe::Error for an empty set or k outside [1, atoms]; loupe::Cancelled when
// cancelled (the dictionary as far as it got is returned through `lastCheckpoint` if given).
SparseDictionary trainTopKDictionary(const VectorSet& data, const SparseDictionaryConfig& config,
    Progress& progress, const std::function<void(const TrainingStep&)>& onStep = {},
    SparseDictionary* lastCheckpoint = nullptr);

// Codes of vectors: count x atoms, row-major, k non-zero (non-negative) per row.
std::vector<float> encodeVectors(const SparseDictionary& dictionary, const VectorSet& vectors);
VectorSet decodeCodes(const SparseDictionary& dictionary, const std::vector<float>& codes);
// decode(encode(vectors)), chunked: the vectors as the dictionary sees them.
VectorSet reconstructVectors(const SparseDictionary& dictionary, const VectorSet& vectors);

// One atom's code on every vector (0 where it is not among the vector's top k).
std::vector<float> conceptActivations(
    const SparseDictionary& dictionary, const VectorSet& vectors, int atom);

struct DictionaryQuality {
    float explainedVariance = 0;  // 1 - sum |x - x^|^2 / sum |x - mean|^2
    float meanL0 = 0;  // non-zero codes per vector
    int deadAtoms = 0;  // never active on the set
    int denseAtoms = 0;  // active on more than `denseShare` of the vectors
    std::vector<float> firingShare;  // per atom: share of the vectors it is active on
};
DictionaryQuality measureDictionary(
    const SparseDictionary& dictionary, const VectorSet& vectors, float denseShare = 0.1f);

// What a concept page needs of one concept, over a set of vectors.
struct ConceptSummary {
    std::vector<std::int64_t> topVectors;  // strongest first (only where it is active)
    std::vector<float> topActivations;
    float maxActivation = 0;
    float firingShare = 0;  // share of the vectors it is active on
    std::vector<int> histogram;  // of its non-zero activations, bins over [0, maxActivation]
};

// Every concept's summary, from two chunked passes over the vectors (the codes of all of them
// at once would not fit): made once after training, so a concept page opens without encoding
// the store again. `top` vectors per concept.
struct ConceptIndex {
    int atoms = 0, top = 0, bins = 0;
    std::vector<std::int64_t> topVectors;  // atoms x top, -1 where fewer were active
    std::vector<float> topActivations;  // atoms x top
    std::vector<float> maxActivation, firingShare;  // per atom
    std::vector<std::int32_t> histogram;  // atoms x bins
    ConceptSummary summary(int atom) const;  // throws loupe::Error when out of range
};
ConceptIndex indexConcepts(const SparseDictionary& dictionary, const VectorSet& vectors, int top,
    int bins, Progress& progress);

// Mean cosine between two sets of unit directions (rows of `dimensions`) matched one to one so
// that the sum is largest (Hungarian); rows of `a` <= rows of `b`.
float matchedCosine(const std::vector<float>& a, const std::vector<float>& b, int dimensions);

}  // namespace loupe

namespace loupe {

// The dictionary as bytes (for a file or the workspace); throws loupe::Error on damage.
std::string serializeSparseDictionary(const SparseDictionary& dictionary);
SparseDictionary deserializeSparseDictionary(const std::string& bytes);
std::string serializeConceptIndex(const ConceptIndex& index);
ConceptIndex deserializeConceptIndex(const std::string& bytes);

}  // namespace loupe
