#include "core/dataset_scan.h"
#include "core/scan_shards.h"
#include "core/thread_budget.h"

#include "core/error.h"
#include "core/image_folder.h"
#include "core/json.h"
#include "core/synthetic_shapes.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"
#include "core/workspace.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

namespace loupe {
namespace {

namespace fs = std::filesystem;
constexpr const char* kKind = "scan";

std::string canonicalFolder(const std::string& folder)
{
    std::error_code ec;
    const auto p = fs::weakly_canonical(fs::absolute(folder), ec);
    return ec ? folder : p.string();
}

std::string imagesKey(const std::string& folder)
{
    return folder + "|images";
}
std::string layerKey(const std::string& folder, const std::string& layer)
{
    return folder + "|layer|" + layer;
}

// Per-layer accumulation between saves; statistics objects hold the merged state.
struct LayerAccumulator {
    std::string path;
    std::vector<ChannelStatistics> channels;
    SeededRandom rng{1};
};

// One pass over the batch's activations updates every statistic of every channel. Channels
// are independent, so they are spread over LibTorch's intra-op threads; the reservoir's
// random positions are drawn up front so that results do not depend on the threading.
void accumulate(
    LayerAccumulator& layer, const torch::Tensor& activation, const std::vector<int>& imageIds)
{
    auto act = activation.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    if (act.dim() == 2)
        act = act.view({act.size(0), act.size(1), 1, 1});
    const int64_t b = act.size(0), c = act.size(1), h = act.size(2), w = act.size(3), hw = h * w;
    const float* data = act.data_ptr<float>();
    std::vector<std::int64_t> samplePosition(size_t(b * c));
    for (auto& p : samplePosition)
        p = std::min<std::int64_t>(hw - 1, std::int64_t(layer.rng.uniform() * double(hw)));

    at::parallel_for(0, c, 1, [&](int64_t begin, int64_t end) {
        for (int64_t ch = begin; ch < end; ++ch) {
            auto& s = layer.channels[size_t(ch)];
            auto& histogram = s.histogram.counts();
            std::uint64_t positive = 0;
            double sum = 0, squares = 0;
            for (int64_t i = 0; i < b; ++i) {
                const float* values = data + (i * c + ch) * hw;
                float maxValue = values[0], minValue = values[0];
                int64_t maxAt = 0, minAt = 0;
                for (int64_t p = 0; p < hw; ++p) {
                    const float v = values[p];
                    ++histogram[size_t(Histogram::binOf(v))];
                    positive += v > 0;
                    sum += v;
                    squares += double(v) * v;
                    if (v > maxValue) {
                        maxValue = v;
                        maxAt = p;
                    }
                    if (v < minValue) {
                        minValue = v;
                        minAt = p;
                    }
                }
                const auto id = std::int32_t(imageIds[size_t(i)]);
                s.top.offer({maxValue, id, std::int16_t(maxAt % w), std::int16_t(maxAt / w)});
                s.bottom.offer({minValue, id, std::int16_t(minAt % w), std::int16_t(minAt / w)});
                const int64_t p = samplePosition[size_t(i * c + ch)];
                s.reservoir.offer({values[p], id, std::int16_t(p % w), std::int16_t(p / w)});
            }
            s.count += std::uint64_t(b * hw);
            s.positive += positive;
            s.sum += sum;
            s.sumOfSquares += squares;
        }
    });
}

Json imagesJson(const ScanResults& scan)
{
    Json doc = Json::object();
    doc["folder"] = scan.folder;
    doc["input_size"] = scan.inputSize;
    Json images = Json::array();
    for (const auto& i : scan.images)
        images.push(i);
    doc["images"] = images;
    Json skipped = Json::array();
    for (const auto& s : scan.skipped)
        skipped.push(Json(Json::Array{s.path, s.reason}));
    doc["skipped"] = skipped;
    Json layers = Json::array();
    Json fields = Json::object();
    for (const auto& [name, field] : scan.receptiveFields)
        fields[name] = Json(Json::Array{field.size, field.stride, field.offset});
    for (const auto& name : scan.layerOrder)
        layers.push(name);
    doc["layers"] = layers;
    doc["receptive_fields"] = fields;
    return doc;
}

void putFolderLast(Workspace& workspace, const std::string& folder)
{
    Json folders = Json::array();
    for (const auto& f : scannedFolders(workspace))
        if (f != folder)
            folders.push(f);
    folders.push(folder);  // most recent last
    workspace.put(kKind, "folders", folders.dump());
}

void save(
    Workspace& workspace, const ScanResults& scan, const std::vector<LayerAccumulator>& layers)
{
    workspace.transaction([&] {
        workspace.put(kKind, imagesKey(scan.folder), imagesJson(scan).dump());
        for (const auto& layer : layers)
            workspace.put(kKind, layerKey(scan.folder, layer.path), serialize(layer.channels));
        putFolderLast(workspace, scan.folder);
    });
}

}  // namespace

void storeScan(Workspace& workspace, const ScanResults& scan)
{
    for (const auto& layer : scan.layerOrder)
        if (!scan.layers.count(layer))
            throw Error("the scan to store has no statistics for layer '" + layer + "'");
    workspace.transaction([&] {
        workspace.put(kKind, imagesKey(scan.folder), imagesJson(scan).dump());
        for (const auto& layer : scan.layerOrder)
            workspace.put(kKind, layerKey(scan.folder, layer), serialize(scan.layers.at(layer)));
        putFolderLast(workspace, scan.folder);
    });
}

// Receptive fields depend on the model only: measured once per workspace.
ReceptiveField cachedReceptiveField(Model& model, Workspace& workspace, const std::string& layer)
{
    const std::string key = "receptive-field|" + layer;
    if (const auto stored = workspace.get(kKind, key)) {
        const Json f = Json::parse(*stored);
        ReceptiveField field;
        field.size = int(f.toArray().at(0).toNumber());
        field.stride = f.toArray().at(1).toNumber();
        field.offset = f.toArray().at(2).toNumber();
        return field;
    }
    const ReceptiveField field = estimateReceptiveField(model, layer);
    workspace.cacheBestEffort([&] {
        workspace.put(kKind, key, Json(Json::Array{field.size, field.stride, field.offset}).dump());
    });
    return field;
}

std::vector<std::string> scannedFolders(const Workspace& workspace)
{
    std::vector<std::string> out;
    if (const auto stored = workspace.get(kKind, "folders")) {
        Json folders;  // kept alive while iterating
        try {
            folders = Json::parse(*stored);
        } catch (const Error& e) {
            throw Error("the list of scanned folders in workspace '" + workspace.file() +
                "' is damaged (" + e.what() + "). Delete the workspace to start over");
        }
        for (const auto& f : folders.toArray())
            out.push_back(f.toString());
    }
    return out;
}

ScanResults loadScan(const Workspace& workspace, const std::string& folderArgument,
    const std::vector<std::string>& onlyLayers)
{
    std::string folder = folderArgument.empty() ? std::string() : canonicalFolder(folderArgument);
    if (folder.empty()) {
        const auto folders = scannedFolders(workspace);
        if (folders.empty())
            throw Error("this workspace has no dataset scan yet (run `loupe-cli scan` or Dataset > "
                        "Scan Folder…)");
        folder = folders.back();
    }
    const auto stored = workspace.get(kKind, imagesKey(folder));
    if (!stored)
        throw Error("folder '" + folder + "' has not been scanned for this model");
    ScanResults scan;
    scan.folder = folder;
    // Whatever fails below means the stored scan is damaged: say so, by folder and layer,
    // instead of "not indexed" or a bare "vector::_M_range_check".
    std::string part = "image list";
    try {
        const Json doc = Json::parse(*stored);
        if (!doc.isObject() || !doc["images"].isArray() || !doc["layers"].isArray())
            throw Error("not a scan record");
        scan.inputSize = int(doc["input_size"].toNumber());
        for (const auto& i : doc["images"].toArray())
            scan.images.push_back(i.toString());
        for (const auto& s : doc["skipped"].toArray())
            scan.skipped.push_back({s.toArray().at(0).toString(), s.toArray().at(1).toString()});
        for (const auto& [name, f] : doc["receptive_fields"].toObject()) {
            ReceptiveField field;
            field.size = int(f.toArray().at(0).toNumber());
            field.stride = f.toArray().at(1).toNumber();
            field.offset = f.toArray().at(2).toNumber();
            scan.receptiveFields[name] = field;
        }
        for (const auto& l : doc["layers"].toArray()) {
            scan.layerOrder.push_back(l.toString());
            if (!onlyLayers.empty() &&
                std::find(onlyLayers.begin(), onlyLayers.end(), l.toString()) == onlyLayers.end())
                continue;
            part = "statistics of layer '" + l.toString() + "'";
            const auto bytes = workspace.get(kKind, layerKey(folder, l.toString()));
            if (!bytes)
                throw Error("missing");
            scan.layers[l.toString()] = deserializeChannelStatistics(*bytes);
        }
    } catch (const std::exception& e) {
        if (std::string(e.what()).find("is damaged") != std::string::npos)
            throw;  // the workspace file itself (Workspace::get says how to start over)
        // Our own errors say what is wrong; anything else (an index out of range) means a
        // record of the wrong shape.
        const std::string what =
            dynamic_cast<const Error*>(&e) ? firstLine(e.what()) : "unexpected structure";
        throw Error("the stored scan of '" + folder + "' in workspace '" + workspace.file() +
            "' is damaged (" + part + ": " + what +
            "). Scan into a new workspace, or delete this one to start over");
    }
    return scan;
}

ScanSummary scanFolder(
    Model& model, Workspace& workspace, const ScanConfig& config, Progress& progress)
{
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    auto& d = model.impl();
    if (config.layers.empty())
        throw Error("choose at least one layer to index");
    ScanResults scan;
    scan.folder = canonicalFolder(config.folder);
    scan.inputSize = d.metadata.input.size;
    const ImageFolderListing folderListing = listImageFolder(scan.folder);
    std::vector<std::string> listing = folderListing.images;
    if (listing.empty())
        throw Error("no images (JPEG, PNG, BMP, WebP or TIFF files) in '" + scan.folder +
            "' or its subfolders");
    ShardRecord shardRecord;
    if (config.shards > 0) {
        shardRecord.folder = scan.folder;
        shardRecord.listingDigest = listingDigest(listing);
        shardRecord.imagesInListing = int(listing.size());
        shardRecord.shard = config.shard;
        shardRecord.shards = config.shards;
        listing = shardImages(listing, config.shard, config.shards);
        const std::set<std::string> elsewhere(config.skipImages.begin(), config.skipImages.end());
        listing.erase(std::remove_if(listing.begin(), listing.end(),
                          [&](const std::string& image) { return elsewhere.count(image) > 0; }),
            listing.end());
    }

    std::vector<LayerAccumulator> layers;
    std::vector<CaptureRequest> requests;
    for (const auto& name : config.layers) {
        const LayerInfo& info = model.layer(name);
        if (!info.addressable)
            throw Error("layer '" + info.path + "' cannot be captured: " + info.note);
        LayerAccumulator acc;
        acc.path = info.path;
        acc.rng = SeededRandom(std::hash<std::string>()(info.path));
        for (int64_t c = 0; c < info.channels(); ++c)
            acc.channels.emplace_back(config.topK, config.reservoirSize, std::uint64_t(c + 1));
        layers.push_back(std::move(acc));
        requests.push_back({info.path, true});
        scan.layerOrder.push_back(info.path);
        if (info.isSpatial())
            scan.receptiveFields[info.path] = cachedReceptiveField(model, workspace, info.path);
    }

    // Resume: earlier statistics of the same layers are merged into, and their images skipped.
    std::set<std::string> done;
    try {
        const ScanResults earlier = loadScan(workspace, scan.folder);
        if (!earlier.images.empty() && earlier.layerOrder != scan.layerOrder)
            throw Error("the earlier scan of this folder indexed other layers; "
                        "scan into a new workspace or with the same layers");
        scan.images = earlier.images;
        for (auto& layer : layers) {
            const auto it = earlier.layers.find(layer.path);
            if (it != earlier.layers.end() && it->second.size() == layer.channels.size() &&
                !earlier.images.empty())
                layer.channels = it->second;
            else if (!earlier.images.empty())
                throw Error("the earlier scan of this folder indexed other layers; "
                            "scan into a new workspace or with the same layers");
        }
        for (const auto& s : earlier.images)
            done.insert(s);
        // Skipped files are tried again: they may have been restored or replaced since.
    } catch (const Error& e) {
        // Only "never scanned" starts afresh; a damaged earlier scan is reported, never
        // silently overwritten.
        if (std::string(e.what()).find("has not been scanned") == std::string::npos)
            throw;
    }
    std::vector<std::string> todo;
    for (const auto& path : listing)
        if (!done.count(path))
            todo.push_back(path);

    if (config.shards <= 0 || config.shard == 0)  // listed once, by the first shard
        for (const auto& [path, reason] : folderListing.unusable)
            scan.skipped.push_back({path, reason});
    if (config.shards > 0) {
        shardRecord.layers = scan.layerOrder;
        writeShardRecord(workspace, shardRecord);
    }
    ScanSummary summary;
    summary.imagesInFolder = int(listing.size());
    summary.alreadyScanned = int(scan.images.size());
    const int threads = config.decodeThreads > 0 ? config.decodeThreads : threadBudget();
    const size_t batch = size_t(std::max(1, config.batchSize));
    const auto& plan = d.captures.plan(d.module, requests, false);
    int fitting = 0;  // the batch size that fits on the device, learnt on out-of-memory

    const auto decodeAsync = [&](size_t begin) {
        const size_t end = std::min(todo.size(), begin + batch);
        return std::async(std::launch::async, [&, begin, end] {
            return decodeImages(scan.folder, todo, begin, end, scan.inputSize, threads);
        });
    };
    std::future<std::vector<DecodedImage>> pending;
    if (!todo.empty())
        pending = decodeAsync(0);
    int batchesSinceSave = 0;
    try {
        for (size_t begin = 0; begin < todo.size(); begin += batch) {
            auto mark = std::chrono::steady_clock::now();
            const auto lap = [&mark] {
                const auto t = std::chrono::steady_clock::now();
                const double s = std::chrono::duration<double>(t - mark).count();
                mark = t;
                return s;
            };
            std::vector<DecodedImage> decoded = pending.get();
            summary.waitingForDecodeSeconds += lap();
            if (begin + batch < todo.size())
                pending = decodeAsync(begin + batch);  // decode the next batch during this forward
            std::vector<torch::Tensor> inputs;
            std::vector<int> ids;
            for (auto& item : decoded) {
                const std::string& path = todo[size_t(item.index)];
                if (!item.error.empty()) {
                    scan.skipped.push_back({path, item.error});
                    continue;
                }
                inputs.push_back(imageToInput(item.image, d.metadata.input));
                ids.push_back(int(scan.images.size()));
                scan.images.push_back(path);
            }
            if (!inputs.empty()) {
                c10::InferenceMode inference;
                const auto result =
                    runCaptureInChunks(d.module, plan, torch::cat(inputs, 0).to(d.device), fitting);
                summary.forwardSeconds += lap();
                for (size_t l = 0; l < layers.size(); ++l)
                    accumulate(layers[l], result.activations[l], ids);
                summary.statisticsSeconds += lap();
            }
            summary.scannedNow += int(inputs.size());
            const double rate = summary.scannedNow / std::max(1e-6, elapsed());
            const size_t processed = std::min(todo.size(), begin + batch);
            if (config.batchDone)
                config.batchDone(int(processed), int(todo.size()));
            progress.report(double(processed) / double(todo.size()),
                std::to_string(processed) + "/" + std::to_string(todo.size()) + " images, " +
                    std::to_string(int(rate)) + " images/s, ETA " +
                    std::to_string(int(double(todo.size() - processed) / std::max(rate, 1e-6))) +
                    " s");
            if (++batchesSinceSave >= config.saveEveryBatches) {
                lap();
                save(workspace, scan, layers);
                batchesSinceSave = 0;
                summary.savingSeconds += lap();
            }
            progress.checkCancelled();
        }
    } catch (const Cancelled&) {
        if (pending.valid())
            pending.wait();
        save(workspace, scan, layers);
        throw;
    } catch (const Error&) {
        if (pending.valid())
            pending.wait();
        throw;
    } catch (const std::exception& e) {
        if (pending.valid())
            pending.wait();
        throw Error("scan failed: " + firstLine(e.what()));
    }
    save(workspace, scan, layers);
    summary.skipped = scan.skipped;
    summary.seconds = elapsed();
    summary.imagesPerSecond = summary.scannedNow / std::max(1e-6, summary.seconds);
    return summary;
}

std::vector<LayerScanSummary> summarizeScan(const ScanResults& scan, double rareFraction)
{
    std::vector<LayerScanSummary> out;
    for (const auto& name : scan.layerOrder) {
        const auto it = scan.layers.find(name);
        if (it == scan.layers.end())
            continue;
        LayerScanSummary summary;
        summary.layer = name;
        if (auto f = scan.receptiveFields.find(name); f != scan.receptiveFields.end())
            summary.receptiveField = f->second.size;
        for (size_t c = 0; c < it->second.size(); ++c) {
            const auto& s = it->second[c];
            if (s.count == 0)
                continue;
            if (s.positive == 0)
                summary.dead.push_back(int(c));
            else if (s.fractionActive() < rareFraction)
                summary.rare.push_back(int(c));
        }
        out.push_back(std::move(summary));
    }
    return out;
}

ScanBenchmark benchmarkScan(
    Model& model, const ScanConfig& config, int maxImages, const std::string& scratchWorkspace)
{
    auto& d = model.impl();
    const std::string folder = canonicalFolder(config.folder);
    std::vector<std::string> images = listImages(folder);
    if (images.size() > size_t(maxImages))
        images.resize(size_t(maxImages));
    if (images.empty())
        throw Error("no images in '" + folder + "'");
    const int threads = config.decodeThreads > 0 ? config.decodeThreads : threadBudget();
    const int size = d.metadata.input.size;
    const auto now = [] { return std::chrono::steady_clock::now(); };
    const auto seconds = [](auto a, auto b) {
        return std::chrono::duration<double>(b - a).count();
    };

    ScanBenchmark bench;
    bench.images = int(images.size());
    auto t0 = now();
    std::vector<torch::Tensor> inputs;
    for (size_t begin = 0; begin < images.size(); begin += size_t(config.batchSize))
        for (auto& item : decodeImages(folder, images, begin,
                 std::min(images.size(), begin + size_t(config.batchSize)), size, threads))
            if (item.error.empty())
                inputs.push_back(imageToInput(item.image, d.metadata.input));
    bench.decodePerSecond = double(images.size()) / seconds(t0, now());

    std::vector<CaptureRequest> requests;
    for (const auto& name : config.layers)
        requests.push_back({model.layer(name).path, true});
    const auto& plan = d.captures.plan(d.module, requests, false);
    {
        c10::InferenceMode inference;
        runCapture(d.module, plan, torch::cat({inputs.front()}, 0).to(d.device));  // warm-up
        t0 = now();
        for (size_t begin = 0; begin < inputs.size(); begin += size_t(config.batchSize)) {
            const size_t end = std::min(inputs.size(), begin + size_t(config.batchSize));
            const auto out = runCapture(d.module, plan,
                torch::cat(std::vector<torch::Tensor>(
                               inputs.begin() + long(begin), inputs.begin() + long(end)),
                    0)
                    .to(d.device));
            out.activations.back().sum().item<float>();  // wait for the device
        }
        bench.forwardPerSecond = double(inputs.size()) / seconds(t0, now());
    }

    std::error_code ec;
    fs::remove(scratchWorkspace, ec);
    auto workspace = Workspace::open(scratchWorkspace, model.hash());
    for (const auto& name : config.layers)  // one-time set-up, not part of the per-image rate
        if (model.layer(name).isSpatial())
            cachedReceptiveField(model, *workspace, model.layer(name).path);
    ScanConfig scanConfig = config;
    // Scan exactly the benchmarked images: a folder of links to them.
    const fs::path linkFolder = fs::path(scratchWorkspace).parent_path() / "bench-images";
    fs::remove_all(linkFolder, ec);
    fs::create_directories(linkFolder, ec);
    for (const auto& image : images) {
        const fs::path link = linkFolder / fs::path(image).filename();
        fs::create_symlink(fs::path(folder) / image, link, ec);
    }
    scanConfig.folder = linkFolder.string();
    Progress progress;
    t0 = now();
    const ScanSummary summary = scanFolder(model, *workspace, scanConfig, progress);
    bench.scan = summary;
    bench.scanPerSecond =
        double(summary.scannedNow + int(summary.skipped.size())) / seconds(t0, now());
    workspace.reset();
    fs::remove_all(linkFolder, ec);
    return bench;
}

}  // namespace loupe
