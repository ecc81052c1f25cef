#pragma once
// The concepts network dissection matches units against, and their per-pixel masks, from three
// sources that need nothing downloaded: the eleven colour terms on any photo, a user's
// segmentation data (label PNGs + a CSV naming each label and its category), and a synthetic
// set Loupe renders with its own masks (written in the user format, so it is one more folder).

#include "core/image.h"
#include "core/progress.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace loupe {

struct Concept {
    std::string name;  // "red", "stripes", "dog"
    std::string category;  // "colour", "texture", "shape", "object", ...
};

// Where a dissection's concepts come from. Labels: for the image `a/b.jpg` of the image folder,
// the PNG `a/b.png` below `labelFolder`, one integer per pixel (8 or 16 bit; 0 = unlabelled);
// `labelCsv` names them: `label,name,category` per line (a header line is allowed).
struct ConceptSources {
    bool colours = true;
    std::string labelFolder;
    std::string labelCsv;
};

// The concepts, numbered: the colour terms first (when on), then the CSV's labels. A concept
// lies on one "plane": colours on plane 0, segmentation labels on plane 1.
struct ConceptCatalogue {
    std::vector<Concept> concepts;
    std::vector<int> plane;  // per concept
    int colourFirst = -1;  // index of the first colour concept, -1 without colours
    std::map<int, int> labelToConcept;  // segmentation label value -> concept index
    std::vector<std::string> categories() const;  // distinct, in order of first appearance
};

// Throws loupe::Error when neither source is on, or the CSV is missing/malformed (the line and
// what is wrong are named), or labels are given without a CSV.
ConceptCatalogue makeConceptCatalogue(const ConceptSources& sources);
ConceptCatalogue readConceptCsv(const std::string& path);  // the segmentation part only

// One image's concept masks in the model's input geometry (resize the shorter side, centre
// crop) at size x size: per plane, concept index + 1 per pixel (0 = none). A plane the image has
// no annotation for is empty.
struct ConceptMasks {
    int size = 0;
    std::vector<std::vector<std::int32_t>> planes;  // [plane][y * size + x]
};

// `view` is the model-input view of the photo (inputSize square). Throws loupe::Error for an
// unreadable label file (a missing one only leaves the segmentation plane empty).
ConceptMasks conceptMasksFor(const ConceptCatalogue& catalogue, const ConceptSources& sources,
    const RgbImage& view, int inputSize, const std::string& imageRelativePath, int maskSize);

// A label image (8- or 16-bit, one channel) through the same geometry as the photo: shorter side
// to inputSize (nearest neighbour, labels are not averaged), centre crop, then maskSize.
std::vector<std::int32_t> labelsInModelView(
    const std::string& labelFile, int inputSize, int maskSize);

// --- the synthetic set ---

// stripes, dots, checkerboard (category "texture"); curve, circle, corner ("shape").
const std::vector<Concept>& syntheticConcepts();

struct SyntheticConceptImage {
    RgbImage image;
    std::vector<std::uint8_t> labels;  // 1-based index into syntheticConcepts(), 0 = background
};

// Image `index` of the set: a noisy textured background, one texture patch and one shape drawn
// over it, each at a scale, orientation and colour drawn from the seed; every concept appears
// equally often. Deterministic.
SyntheticConceptImage renderSyntheticConceptImage(int index, int size, std::uint64_t seed);

// Writes `count` images to folder/images, their labels to folder/labels and
// folder/concepts.csv: the user format, so dissection reads it like any labelled folder.
// Throws loupe::Error when the folder cannot be written.
void writeSyntheticConceptSet(
    const std::string& folder, int count, int size, std::uint64_t seed, Progress& progress);

}  // namespace loupe
