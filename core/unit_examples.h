#pragma once

#include "core/image.h"

#include <string>
#include <vector>

namespace loupe {

class Workspace;
struct ScanResults;

// One dataset example as shown: a crop around the unit's receptive field (or the whole
// model-input view with the field outlined) and where it came from.
struct ExampleTile {
    RgbImage image;
    std::string path;  // relative to the scanned folder
    float value = 0;
    int x = 0;
    int y = 0;
};

struct HistogramBin {
    float low = 0;
    float high = 0;
    std::uint64_t count = 0;
};

// Everything the Dataset Examples and Distribution views show for one unit, from a scan.
struct UnitExamples {
    std::string folder;
    std::string layer;
    int channel = -1;
    std::uint64_t positions = 0;
    double fractionActive = 0;
    double mean = 0;
    double standardDeviation = 0;
    float maximum = 0;
    float minimum = 0;
    int receptiveField = 0;
    std::vector<HistogramBin> histogram;  // non-empty bins, ascending
    std::vector<ExampleTile> top;
    std::vector<ExampleTile> bottom;
    // Reservoir samples per activation band: [max/2, max], [0, max/2), [min/2, 0), [min, min/2).
    std::vector<std::vector<ExampleTile>> bands;
    std::vector<std::string> bandLabels;
};

// Reads the unit from the workspace's scan of `folder` (empty: the latest scan), decodes and
// crops its examples. Throws loupe::Error when there is no scan or the layer was not indexed.
UnitExamples unitExamples(const Workspace& workspace, const std::string& folder,
    const std::string& layer, int channel, int k, bool wholeImage, int tileSize, int perBand = 8);
// The same from a scan already read (e.g. with loadScan(..., {layer})), for callers that show
// several units of one layer or check the layer first.
UnitExamples unitExamples(const ScanResults& scan, const std::string& layer, int channel, int k,
    bool wholeImage, int tileSize, int perBand = 8);

// The distribution as a density over `bins` equal-width bins spanning [min(minimum, 0),
// max(maximum, 0)]: the stored bins are log-spaced (fine near zero, wide far out), so each
// one's count is spread over the display bins it overlaps, in proportion. Density = fraction
// of positions per unit of activation. Empty without a histogram.
struct DensityPoint {
    double activation = 0;  // bin centre
    double density = 0;
};
std::vector<DensityPoint> evenDensity(const UnitExamples& examples, int bins);
// The stored bins as CSV (low,high,count,density), what a histogram figure is re-plotted from.
std::string histogramCsv(const UnitExamples& examples);

// The strongest dataset example of each channel (receptive-field crop), reading the scan once:
// what the semantic dictionary shows beside each entry. Channels the scan did not index, or
// whose image is gone, get an empty tile. Throws loupe::Error when there is no scan.
std::vector<ExampleTile> topExampleOfChannels(const Workspace& workspace, const std::string& layer,
    const std::vector<int>& channels, int tileSize);

}  // namespace loupe
