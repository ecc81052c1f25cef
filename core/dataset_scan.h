#pragma once

#include "core/progress.h"
#include "core/receptive_field.h"
#include "core/unit_statistics.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace loupe {

class Model;
class Workspace;

struct ScanConfig {
    std::string folder;
    std::vector<std::string> layers;  // module paths or aliases
    int topK = 32;
    int reservoirSize = 256;
    int batchSize = 32;
    int decodeThreads = 0;  // 0: all cores
    int saveEveryBatches = 8;
    // Part of a bigger job (core/scan_shards.h): with shards > 0 only shard `shard` of
    // `shards` of the folder's listing is scanned, images in `skipImages` (scanned by other
    // shard files) are left out, and the workspace (the shard file) records the shard.
    int shard = 0;
    int shards = 0;
    std::vector<std::string> skipImages;
    // Called on the scanning thread after every batch: images done and to do in this run
    // (a sharded job's ranks report it to the first rank).
    std::function<void(int done, int todo)> batchDone;
};

struct SkippedImage {
    std::string path;
    std::string reason;
};

struct ScanSummary {
    int imagesInFolder = 0;
    int scannedNow = 0;
    int alreadyScanned = 0;
    std::vector<SkippedImage> skipped;  // this run's: earlier runs' skipped files are tried again
    double seconds = 0;
    double imagesPerSecond = 0;
    // Where the time went (wall clock of the scanning thread).
    double waitingForDecodeSeconds = 0;
    double forwardSeconds = 0;
    double statisticsSeconds = 0;
    double savingSeconds = 0;
};

// What a scan stored for one folder: the image list (ids index it), the skipped files, and
// per layer one ChannelStatistics per channel, on pre-ReLU values.
struct ScanResults {
    std::string folder;
    int inputSize = 0;
    std::vector<std::string> images;  // relative to folder
    std::vector<SkippedImage> skipped;
    std::map<std::string, std::vector<ChannelStatistics>> layers;
    std::map<std::string, ReceptiveField> receptiveFields;  // spatial layers
    std::vector<std::string> layerOrder;  // as requested
};

// Scans every image below config.folder (recursive), streaming statistics for every channel
// of every layer with memory bounded by the statistics, not the dataset. Decoding runs on a
// thread pool one batch ahead of the forward pass. Results are saved to the workspace every
// few batches in one transaction; a re-run skips images already scanned (resume), and a
// cancelled scan keeps what it had done (then throws loupe::Cancelled).
ScanSummary scanFolder(
    Model& model, Workspace& workspace, const ScanConfig& config, Progress& progress);

// Reads a scan back; `folder` empty means the most recent scan in this workspace. Throws
// loupe::Error when there is none. With `onlyLayers`, only those layers' statistics are read
// (layerOrder still lists every indexed layer): a click on one unit then reads one layer of a
// nine-layer scan instead of all of them.
ScanResults loadScan(const Workspace& workspace, const std::string& folder = {},
    const std::vector<std::string>& onlyLayers = {});
std::vector<std::string> scannedFolders(const Workspace& workspace);
// Writes a scan (image list, skipped files, every layer's statistics) into a workspace in one
// transaction, as scanFolder's checkpoints do, and makes its folder the most recent scan.
void storeScan(Workspace& workspace, const ScanResults& scan);

// Per scanned layer: its receptive field and the units that never fire (dead: no positive
// value anywhere in the dataset) or almost never (active on fewer than `rareFraction` of the
// positions), Karpathy's dead-filter check.
struct LayerScanSummary {
    std::string layer;
    int receptiveField = 0;
    std::vector<int> dead;
    std::vector<int> rare;
};
std::vector<LayerScanSummary> summarizeScan(const ScanResults& scan, double rareFraction = 0.005);

// Images per second of each stage on the first `maxImages` images of the folder, so that the
// bottleneck is visible: decoding + preprocessing alone (all decode threads), the forward
// pass alone (batches of config.batchSize, same images), and the full scan (statistics
// included, into a throw-away workspace).
struct ScanBenchmark {
    int images = 0;
    double decodePerSecond = 0;
    double forwardPerSecond = 0;
    double scanPerSecond = 0;
    ScanSummary scan;  // the full scan's time split
};
ScanBenchmark benchmarkScan(
    Model& model, const ScanConfig& config, int maxImages, const std::string& scratchWorkspace);

}  // namespace loupe
