#pragma once

#include "core/device.h"
#include "core/featurevis.h"
#include "core/image.h"
#include "core/progress.h"
#include "core/receptive_field.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

class Model;

// The activation atlas (Carter et al. 2019): activation vectors of one layer at random
// positions across a folder, laid out in 2-D, binned into a grid, each occupied cell drawn as
// the feature visualization of its mean vector.

// --- collecting ------------------------------------------------------------------------------

struct AtlasSamplesConfig {
    std::string folder;
    std::string layer;
    int samplesPerImage = 8;  // random spatial positions per image (all positions when larger)
    int maxImages = 0;  // 0: every image of the folder
    int batchSize = 32;
    int decodeThreads = 0;  // 0: all cores
    std::uint64_t seed = 0;
};

// Memory is count x dimension floats, bounded by the sample count, whatever the folder's size:
// images stream through in batches and only the sampled vectors are kept.
struct ActivationSamples {
    std::string folder;
    std::string layer;
    int dimension = 0;
    std::vector<float> vectors;  // count x dimension (post-ReLU, as the layer outputs)
    std::vector<int> image;  // per sample: index into `images`
    std::vector<int> x, y;  // per sample: layer position
    std::vector<std::string> images;  // relative to the folder
    std::vector<int> predictedClass;  // per image; -1 when the model is not a classifier
    std::vector<std::string> skipped;  // files that could not be used, with the reason

    int count() const { return dimension ? int(vectors.size() / size_t(dimension)) : 0; }
};

// Throws loupe::Error for a non-spatial layer or an empty folder; loupe::Cancelled.
ActivationSamples collectActivationSamples(
    Model& model, const AtlasSamplesConfig& config, Progress& progress);

// --- 2-D layout ------------------------------------------------------------------------------

// UMAP-style: PCA to `pcaDimensions`, an exact k-nearest-neighbour graph (chunked matrix
// products), fuzzy edge weights, then attraction along edges and repulsion from random
// negative samples, from a PCA initialisation. All on LibTorch, on the GPU when `device`
// resolves to CUDA. Deterministic for a seed on the CPU.
struct LayoutConfig {
    int neighbours = 15;
    int epochs = 200;
    int pcaDimensions = 50;
    int negativeSamples = 5;
    std::uint64_t seed = 0;
    DevicePreference device = DevicePreference::Automatic;
};
std::vector<float> layout2d(const std::vector<float>& vectors, int count, int dimension,
    const LayoutConfig& config,
    Progress& progress);  // count x 2, in [0, 1]

// Where new vectors (e.g. every position of the current image) land on an existing layout:
// the mean layout position of each one's k nearest samples in activation space. count x 2.
std::vector<float> placeOnLayout(const std::vector<float>& sampleVectors,
    const std::vector<float>& coordinates, int dimension, const std::vector<float>& newVectors,
    int k = 5);

// --- binning ---------------------------------------------------------------------------------

struct AtlasCell {
    int column = 0;
    int row = 0;
    std::vector<int> members;  // sample indices
    std::vector<float> mean;  // mean activation vector of the members
};

// Bins [0, 1]^2 coordinates into grid x grid cells; occupied cells only, most populated first.
std::vector<AtlasCell> binLayout(const std::vector<float>& coordinates,
    const std::vector<float>& vectors, int dimension, int grid);

// --- the atlas -------------------------------------------------------------------------------

struct Atlas {
    std::string layer;
    int grid = 0;
    ActivationSamples samples;
    std::vector<float> coordinates;  // count x 2
    std::vector<AtlasCell> cells;  // rendered ones carry an icon
    std::vector<RgbImage> icons;  // per cell, in the order of `cells` (maximumIcons of them)
    std::vector<RgbImage> patches;  // per cell, in the order of `cells` (empty: none made)
    double collectSeconds = 0, layoutSeconds = 0, iconSeconds = 0;
};

// The mean receptive-field crop of up to `perCell` members of each cell (evenly spread over
// its members), decoding each needed image once. Images that fail to decode are skipped; a
// cell none of whose images decode gets a white patch.
std::vector<RgbImage> cellMeanPatches(const Atlas& atlas, const ReceptiveField& field,
    int inputSize, int perCell, int patchSize, Progress& progress);

struct AtlasConfig {
    AtlasSamplesConfig samples;
    LayoutConfig layout;
    int grid = 40;  // 0: atlasGridFor(the number of samples)
    int minimumCount = 3;  // cells with fewer samples get no icon
    int maximumIcons = 400;  // the most populated cells
    int iconBatch = 64;  // icons optimised together (halved on out-of-memory)
    FeatureVisConfig icon;  // size, steps, seed of the icons (direction objectives)
    // Each cell's mean dataset patch (the average of up to patchesPerCell members' receptive-
    // field crops): what the map shows while a cell's icon is still rendering. 0: none.
    int patchesPerCell = 6;
    int patchSize = 32;
};

// A grid that the samples fill densely (about ten samples per cell where the layout puts
// them): the square root of a tenth of the samples, between 12 and 64 cells a side.
int atlasGridFor(int samples);

// Collect, lay out, bin and render icons (batched). Progress is split over the stages.
Atlas buildAtlas(Model& model, const AtlasConfig& config, Progress& progress);

// How far each cell's mean vector points along a direction of the layer (a learned concept's
// decoder row, a saved direction): <mean, direction> per cell, in the order of atlas.cells.
// The concept colouring of the atlas. Throws loupe::Error when the sizes differ.
std::vector<float> cellProjections(const Atlas& atlas, const std::vector<float>& direction);

// The atlas as one picture: each rendered cell's icon at its grid place, its opacity by how
// many samples fell in it (log scale), on white.
RgbImage atlasImage(const Atlas& atlas, int cellPixels);
std::string atlasCoordinatesCsv(
    const Atlas& atlas);  // sample, image, x, y, layout_x, layout_y, cell

// --- image map -------------------------------------------------------------------------------

// The classic t-SNE map of codes, one point per image: each image's layer activation pooled
// over positions (or the layer's vector when it has none, e.g. the penultimate layer), laid out
// like the atlas, each drawn as its thumbnail; and nearest neighbours in that feature space
// (Krizhevsky et al.'s figure).
struct ImageMap {
    std::string folder;
    std::string layer;
    int dimension = 0;
    std::vector<std::string> images;  // relative to the folder
    std::vector<float> codes;  // images x dimension
    std::vector<float> coordinates;  // images x 2, in [0, 1]
    std::vector<RgbImage> thumbnails;  // model-input view, thumbnailSize square
    std::vector<std::string> skipped;
};
ImageMap buildImageMap(Model& model, const std::string& folder, const std::string& layer,
    int maxImages, int thumbnailSize, const LayoutConfig& layout, Progress& progress);
// The k images nearest to image `index` by Euclidean distance of their codes, nearest first.
std::vector<int> nearestImages(const ImageMap& map, int index, int k);
// The map as one picture: thumbnails at their places on a white square of `side` pixels.
RgbImage imageMapPicture(const ImageMap& map, int side, int thumbnailSize);

}  // namespace loupe
