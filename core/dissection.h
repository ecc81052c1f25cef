#pragma once
// Network dissection (Bau et al. 2017): how well each unit's high-activation region matches a
// concept's pixels. A unit's region in an image is its activation map, upsampled to the mask
// resolution, above the unit's top-`quantile` level over the folder (from the dataset scan when
// the folder was scanned for this layer); IoU sums intersections and unions over the folder.

#include "core/concept_masks.h"
#include "core/dataset_scan.h"
#include "core/progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

class Model;
class Workspace;
class Histogram;

struct DissectionConfig {
    std::string folder;  // the photos
    std::string layer;
    ConceptSources sources;
    double quantile = 0.005;  // the share of a unit's activations that is its region
    double detectorIoU = 0.04;  // a unit above this IoU with its best concept is a detector
    int maskSize = 0;  // 0: min(112, the model's input size)
    int batchSize = 16;
    int maxImages = 0;  // 0: all, else evenly spread over the folder
};

struct UnitDissection {
    int unit = 0;
    int concept = -1;  // best, index into DissectionResult::concepts (-1: none overlaps)
    float iou = 0;
    int runnerUp = -1;
    float runnerUpIoU = 0;
    float threshold = 0;  // activation level of the unit's region
    std::vector<int> topImages;  // up to 4 images where the region is largest (into images)
};

struct CategoryDetectors {
    std::string category;
    int uniqueConcepts = 0;  // distinct concepts that some unit detects
    int units = 0;  // detector units whose best concept is in this category
};

struct DissectionResult {
    std::string modelHash;
    std::string layer;
    std::string folder;
    int maskSize = 0;
    double quantile = 0;
    double detectorIoU = 0;
    bool thresholdsFromScan = false;
    std::vector<std::string> images;  // relative to folder, the ones counted
    std::vector<SkippedImage> skipped;
    std::vector<Concept> concepts;
    std::vector<UnitDissection> units;
    std::vector<float> iou;  // units x concepts
    std::vector<std::uint64_t> conceptPixels;  // each concept's area over the folder
    double seconds = 0;  // of the pass (shared by the layers dissected together)

    float iouOf(int unit, int concept) const
    {
        return iou[size_t(unit) * concepts.size() + size_t(concept)];
    }
    bool isDetector(const UnitDissection& u) const { return u.concept >= 0 && u.iou > detectorIoU; }
    std::vector<CategoryDetectors> detectorsPerCategory() const;
};

// The value above which the top `share` of a histogram's counts lie (linear inside the bin).
float upperQuantile(const Histogram& histogram, double share);

// Runs the dissection of one layer. Thresholds come from the workspace's scan of the folder when
// it holds this layer (one pass), else from a first pass of the same histograms. Throws
// loupe::Error (no images, a layer without spatial extent, bad concept sources) and
// loupe::Cancelled. Results are cached in the workspace by model, layer, folder listing and
// every setting; `fromCache` says when one was read back.
DissectionResult dissectLayer(Model& model, Workspace* workspace, const DissectionConfig& config,
    Progress& progress, bool* fromCache = nullptr);

// The same for several layers in one pass over the folder (one forward captures them all);
// layers already in the workspace are read back. `fromCache` gets one flag per layer.
std::vector<DissectionResult> dissectLayers(Model& model, Workspace* workspace,
    const DissectionConfig& config, const std::vector<std::string>& layers, Progress& progress,
    std::vector<bool>* fromCache = nullptr);

// One image with a unit's region and a concept's mask, for the dock's examples and figures.
struct DissectionExample {
    std::string image;  // relative to the folder
    RgbImage view;  // model-input view
    int maskSize = 0;
    std::vector<std::uint8_t> unitRegion;  // maskSize^2, 1 inside
    std::vector<std::uint8_t> conceptMask;  // maskSize^2, 1 where the concept is
    double iou = 0;  // in this image
};
std::vector<DissectionExample> dissectionExamples(Model& model, const DissectionResult& result,
    const ConceptSources& sources, int unit, int concept);

// The image with the region's outline in yellow and the concept's in cyan, at the view's size.
RgbImage drawDissectionExample(const DissectionExample& example);

std::string serializeDissection(const DissectionResult& result);
DissectionResult deserializeDissection(const std::string& bytes);  // throws loupe::Error

}  // namespace loupe
