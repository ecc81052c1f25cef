#pragma once
// The image degradations of Geirhos et al. (ICLR 2019) that separate shape from texture:
// greyscale, edges (Canny), filled silhouettes (from a user's object mask) and texture patches
// (the image's centre tiled), and the model's top-1/top-5 accuracy under each over a folder of
// labelled photos.

#include "core/image.h"
#include "core/image_labels.h"
#include "core/progress.h"

#include <string>
#include <utility>
#include <vector>

namespace loupe {

class Model;

enum class Degradation { Original, Greyscale, Edges, Silhouette, TexturePatches };

const char* degradationName(Degradation kind);  // "original", "greyscale", "edges", ...
Degradation degradationFromName(const std::string& name);  // throws loupe::Error
std::vector<Degradation> allDegradations();

// The degraded image, the size of the input. Edges are black on white, thresholds from the
// median grey (0.66x and 1.33x); a silhouette is the mask's object (non-zero pixels, resized
// to the image) in black on white; texture patches tile the centre square of a quarter of
// the shorter side. Throws loupe::Error for a silhouette without a mask.
RgbImage degradeImage(const RgbImage& image, Degradation kind, const RgbImage* mask = nullptr);

struct DegradationRow {
    Degradation kind = Degradation::Original;
    int images = 0;  // photos evaluated under this degradation
    int top1 = 0;  // of them, correct at top-1
    int top5 = 0;  // correct within the top 5 (includes top1)
    int skipped = 0;  // labelled photos without what it needs (silhouette: a mask)
    double top1Accuracy() const { return images ? double(top1) / images : 0.0; }
    double top5Accuracy() const { return images ? double(top5) / images : 0.0; }
};

struct DegradationTable {
    int photos = 0;  // labelled, decodable photos
    std::vector<DegradationRow> rows;
    // Files left out of every row, with the reason (no class found, not decodable).
    std::vector<std::pair<std::string, std::string>> leftOut;
};

struct DegradationConfig {
    std::vector<Degradation> kinds = allDegradations();
    std::string masksFolder;  // silhouettes: <masksFolder>/<relative path stem>.png
    int maxImages = 0;  // 0: all (else evenly spread over the folder)
};

// Throws loupe::Error for an unreadable folder or a model without a classifier;
// loupe::Cancelled.
DegradationTable measureDegradations(Model& model, const std::string& folder,
    const ImageLabeler& labeler, const DegradationConfig& config, Progress& progress);

}  // namespace loupe
