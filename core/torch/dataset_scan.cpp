#include "core/dataset_scan.h"

#include "core/error.h"
#include "core/image_folder.h"
#include "core/json.h"
#include "core/synthetic_shapes.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"
#include "core/workspace.h"

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

std::string imagesKey(const std::string& folder) { return folder + "|images"; }
std::string layerKey(const std::string& folder, const std::string& layer) { return folder + "|layer|" + layer; }

struct Decoded {
    int index = -1;  // into the todo list
    RgbImage image;
    std::string error;
};

// Decodes a batch on `threads` threads, each image into the model's input frame.
std::vector<Decoded> decodeBatch(const std::string& folder, const std::vector<std::string>& todo, size_t begin, size_t end,
                                 int inputSize, int threads)
{
    std::vector<Decoded> out(end - begin);
    std::atomic<size_t> next{begin};
    const auto work = [&] {
        for (size_t i = next++; i < end; i = next++) {
            Decoded& d = out[i - begin];
            d.index = int(i);
            try {
                d.image = decodeImageForModel((fs::path(folder) / todo[i]).string(), inputSize);
            } catch (const std::exception& e) {
                d.error = e.what();
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    return out;
}

// Per-layer accumulation between saves; statistics objects hold the merged state.
struct LayerAccumulator {
    std::string path;
    std::vector<ChannelStatistics> channels;
    SeededRandom rng{1};
};

// Histogram bin of every value, the tensor twin of Histogram::binOf (double precision so
// that both agree).
torch::Tensor binIndices(const torch::Tensor& values)
{
    const double step = (Histogram::binHigh(Histogram::kBins / 2) > 0)
                            ? std::log1p(double(Histogram::binHigh(Histogram::kBins / 2)) / 1e-3)
                            : 1.0;
    const auto v = values.to(torch::kDouble);
    const auto offset = (torch::log1p(v.abs() / 1e-3) / step).floor().clamp(0, Histogram::kBins / 2 - 1).to(torch::kLong);
    return torch::where(v >= 0, Histogram::kBins / 2 + offset, Histogram::kBins / 2 - 1 - offset);
}

void accumulate(LayerAccumulator& layer, const torch::Tensor& activation, const std::vector<int>& imageIds)
{
    auto act = activation.detach().to(torch::kCPU, torch::kFloat32);
    if (act.dim() == 2)
        act = act.view({act.size(0), act.size(1), 1, 1});
    const int64_t b = act.size(0), c = act.size(1), h = act.size(2), w = act.size(3);
    const auto perChannel = act.transpose(0, 1).reshape({c, -1});  // C x (B*H*W)

    const auto bins = binIndices(perChannel) + torch::arange(c, torch::kLong).view({c, 1}) * Histogram::kBins;
    const auto counts = torch::bincount(bins.flatten(), {}, c * Histogram::kBins).view({c, Histogram::kBins}).contiguous();
    const auto positive = (perChannel > 0).sum(1).contiguous();
    const auto sums = perChannel.to(torch::kDouble).sum(1).contiguous();
    const auto squares = perChannel.to(torch::kDouble).pow(2).sum(1).contiguous();
    const auto flat = act.view({b, c, h * w});
    const auto [maxValues, maxIndex] = flat.max(2);
    const auto [minValues, minIndex] = flat.min(2);
    const auto maxV = maxValues.accessor<float, 2>();
    const auto maxI = maxIndex.accessor<int64_t, 2>();
    const auto minV = minValues.accessor<float, 2>();
    const auto minI = minIndex.accessor<int64_t, 2>();
    const auto values = flat.accessor<float, 3>();
    const auto* countData = counts.data_ptr<int64_t>();

    for (int64_t ch = 0; ch < c; ++ch) {
        auto& s = layer.channels[size_t(ch)];
        s.count += std::uint64_t(b * h * w);
        s.positive += std::uint64_t(positive[ch].item<int64_t>());
        s.sum += sums[ch].item<double>();
        s.sumOfSquares += squares[ch].item<double>();
        auto& hist = s.histogram.counts();
        for (int bin = 0; bin < Histogram::kBins; ++bin)
            hist[size_t(bin)] += std::uint64_t(countData[ch * Histogram::kBins + bin]);
        for (int64_t i = 0; i < b; ++i) {
            const auto id = std::int32_t(imageIds[size_t(i)]);
            s.top.offer({maxV[i][ch], id, std::int16_t(maxI[i][ch] % w), std::int16_t(maxI[i][ch] / w)});
            s.bottom.offer({minV[i][ch], id, std::int16_t(minI[i][ch] % w), std::int16_t(minI[i][ch] / w)});
            // One random position per image and channel: a uniform sample over positions.
            const int64_t p = std::min<int64_t>(h * w - 1, int64_t(layer.rng.uniform() * double(h * w)));
            s.reservoir.offer({values[i][ch][p], id, std::int16_t(p % w), std::int16_t(p / w)});
        }
    }
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

void save(Workspace& workspace, const ScanResults& scan, const std::vector<LayerAccumulator>& layers)
{
    workspace.transaction([&] {
        workspace.put(kKind, imagesKey(scan.folder), imagesJson(scan).dump());
        for (const auto& layer : layers)
            workspace.put(kKind, layerKey(scan.folder, layer.path), serialize(layer.channels));
        Json folders = Json::array();
        for (const auto& f : scannedFolders(workspace))
            if (f != scan.folder)
                folders.push(f);
        folders.push(scan.folder);  // most recent last
        workspace.put(kKind, "folders", folders.dump());
    });
}

} // namespace

std::vector<std::string> scannedFolders(const Workspace& workspace)
{
    std::vector<std::string> out;
    if (const auto stored = workspace.get(kKind, "folders")) {
        const Json folders = Json::parse(*stored);  // keep it alive while iterating
        for (const auto& f : folders.toArray())
            out.push_back(f.toString());
    }
    return out;
}

ScanResults loadScan(const Workspace& workspace, const std::string& folderArgument)
{
    std::string folder = folderArgument.empty() ? std::string() : canonicalFolder(folderArgument);
    if (folder.empty()) {
        const auto folders = scannedFolders(workspace);
        if (folders.empty())
            throw Error("this workspace has no dataset scan yet (run `loupe-cli scan` or Dataset > Scan Folder…)");
        folder = folders.back();
    }
    const auto stored = workspace.get(kKind, imagesKey(folder));
    if (!stored)
        throw Error("folder '" + folder + "' has not been scanned for this model");
    const Json doc = Json::parse(*stored);
    ScanResults scan;
    scan.folder = folder;
    scan.inputSize = int(doc["input_size"].toNumber());
    for (const auto& i : doc["images"].toArray())
        scan.images.push_back(i.toString());
    for (const auto& s : doc["skipped"].toArray())
        scan.skipped.push_back({s.toArray().at(0).toString(), s.toArray().at(1).toString()});
    for (const auto& l : doc["layers"].toArray()) {
        scan.layerOrder.push_back(l.toString());
        if (const auto bytes = workspace.get(kKind, layerKey(folder, l.toString())))
            scan.layers[l.toString()] = deserializeChannelStatistics(*bytes);
    }
    for (const auto& [name, f] : doc["receptive_fields"].toObject()) {
        ReceptiveField field;
        field.size = int(f.toArray().at(0).toNumber());
        field.stride = f.toArray().at(1).toNumber();
        field.offset = f.toArray().at(2).toNumber();
        scan.receptiveFields[name] = field;
    }
    return scan;
}

ScanSummary scanFolder(Model& model, Workspace& workspace, const ScanConfig& config, Progress& progress)
{
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
    auto& d = model.impl();
    if (config.layers.empty())
        throw Error("choose at least one layer to index");
    ScanResults scan;
    scan.folder = canonicalFolder(config.folder);
    scan.inputSize = d.metadata.input.size;
    const std::vector<std::string> listing = listImages(scan.folder);

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
            scan.receptiveFields[info.path] = estimateReceptiveField(model, info.path);
    }

    // Resume: earlier statistics of the same layers are merged into, and their images skipped.
    std::set<std::string> done;
    try {
        const ScanResults earlier = loadScan(workspace, scan.folder);
        if (!earlier.images.empty() && earlier.layerOrder != scan.layerOrder)
            throw Error("the earlier scan of this folder indexed other layers; "
                        "scan into a new workspace or with the same layers");
        scan.images = earlier.images;
        scan.skipped = earlier.skipped;
        for (auto& layer : layers) {
            const auto it = earlier.layers.find(layer.path);
            if (it != earlier.layers.end() && it->second.size() == layer.channels.size() && !earlier.images.empty())
                layer.channels = it->second;
            else if (!earlier.images.empty())
                throw Error("the earlier scan of this folder indexed other layers; "
                            "scan into a new workspace or with the same layers");
        }
        for (const auto& s : earlier.images)
            done.insert(s);
        for (const auto& s : earlier.skipped)
            done.insert(s.path);
    } catch (const Error& e) {
        if (std::string(e.what()).find("other layers") != std::string::npos)
            throw;
    }
    std::vector<std::string> todo;
    for (const auto& path : listing)
        if (!done.count(path))
            todo.push_back(path);

    ScanSummary summary;
    summary.imagesInFolder = int(listing.size());
    summary.alreadyScanned = int(scan.images.size());
    const int threads = config.decodeThreads > 0 ? config.decodeThreads : int(std::max(1u, std::thread::hardware_concurrency()));
    const size_t batch = size_t(std::max(1, config.batchSize));
    const auto& plan = d.captures.plan(d.module, requests, false);

    const auto decodeAsync = [&](size_t begin) {
        const size_t end = std::min(todo.size(), begin + batch);
        return std::async(std::launch::async, [&, begin, end] { return decodeBatch(scan.folder, todo, begin, end, scan.inputSize, threads); });
    };
    std::future<std::vector<Decoded>> pending;
    if (!todo.empty())
        pending = decodeAsync(0);
    int batchesSinceSave = 0;
    try {
        for (size_t begin = 0; begin < todo.size(); begin += batch) {
            std::vector<Decoded> decoded = pending.get();
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
                const auto result = runCapture(d.module, plan, torch::cat(inputs, 0).to(d.device));
                for (size_t l = 0; l < layers.size(); ++l)
                    accumulate(layers[l], result.activations[l], ids);
            }
            summary.scannedNow += int(inputs.size());
            const double rate = summary.scannedNow / std::max(1e-6, elapsed());
            const size_t processed = std::min(todo.size(), begin + batch);
            progress.report(double(processed) / double(todo.size()),
                            std::to_string(processed) + "/" + std::to_string(todo.size()) + " images, " +
                                std::to_string(int(rate)) + " images/s, ETA " +
                                std::to_string(int(double(todo.size() - processed) / std::max(rate, 1e-6))) + " s");
            if (++batchesSinceSave >= config.saveEveryBatches) {
                save(workspace, scan, layers);
                batchesSinceSave = 0;
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

} // namespace loupe
