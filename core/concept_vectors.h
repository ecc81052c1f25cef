#pragma once
// A layer's activation vectors over an image folder, for learning concept dictionaries: every
// position (or a seeded sample of them per image), stored as float16 in a folder of its own
// with where each vector came from. The collection appends image by image and records its
// progress atomically every few images, so a killed job resumes where the record says and
// loses at most one checkpoint interval.

#include "core/progress.h"
#include "core/sparse_dictionary.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

class Model;

struct VectorOrigin {
    std::int32_t image = 0;  // index into the store's image list
    std::int16_t x = 0, y = 0;  // position in the layer's grid
};

struct VectorCollectionConfig {
    std::string folder;
    std::string layer;
    int perImage = 0;  // positions kept per image (seeded sample); 0 keeps all
    int maxImages = 0;  // evenly spread over the folder; 0 takes all
    int checkpointEvery = 50;  // images
    std::uint64_t seed = 0;
};

struct CollectedVectors {
    std::string layer;
    std::string modelHash;
    std::string folder;  // the images' folder
    std::vector<std::string> images;  // relative to the folder
    int height = 1, width = 1;  // the layer's grid
    VectorSet vectors;
    std::vector<VectorOrigin> origins;  // one per vector
    std::vector<std::string> skipped;  // images that could not be read, with why
};

// Bytes the store will take (float16 vectors + origins) for `images` images: shown before
// the job starts.
std::uint64_t collectionBytes(const Model& model, const VectorCollectionConfig& config, int images);

// Collects into `storeDirectory` (created; a store left by an interrupted run of the same
// model, layer, folder listing and sampling is resumed, any other is refused with a message).
// Returns what was collected. Throws loupe::Error, loupe::Cancelled (the store stays resumable).
CollectedVectors collectVectors(Model& model, const VectorCollectionConfig& config,
    const std::string& storeDirectory, Progress& progress);

// Whether the folder holds a store (finished or partial).
bool collectedVectorsExist(const std::string& storeDirectory);

// Reads a finished or partial store (the vectors as float32). Throws loupe::Error.
CollectedVectors loadCollectedVectors(const std::string& storeDirectory);

// The `k` vectors on which `atom` is most active, as indices into the store, strongest first.
struct ConceptHit {
    std::int64_t vector = 0;
    float activation = 0;
};
std::vector<ConceptHit> topVectorsOfConcept(
    const SparseDictionary& dictionary, const VectorSet& vectors, int atom, int k);

}  // namespace loupe
