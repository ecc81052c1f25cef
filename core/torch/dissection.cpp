// Network dissection's pass over a folder (Bau et al. 2017, "Network Dissection: Quantifying
// Interpretability of Deep Visual Representations"). Per image: the layer's pre-ReLU maps are
// upsampled (bilinear) to the mask resolution and compared with each unit's level; the
// intersections with every concept are one index_add over the label plane, so counting costs
// about as much as the upsampling and never a matrix product per concept.

#include "core/dissection.h"

#include "core/content_hash.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/input_geometry.h"
#include "core/json.h"
#include "core/thread_budget.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"
#include "core/unit_statistics.h"
#include "core/workspace.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace loupe {
namespace {

constexpr int kTopImages = 4;

struct LayerPass {
    Model& model;
    std::vector<const LayerInfo*> layers;
    std::string folder;
    int inputSize = 0;
    int batch = 16;
};

// Calls `each(index, image, maps)` for every image that decodes, batch by batch, with one
// pre-ReLU CxHxW map per layer (on the model's device) from one forward; failures go to
// `skipped`.
template <typename Each>
void forEachImage(const LayerPass& pass, const std::vector<std::string>& images,
    std::vector<SkippedImage>* skipped, Progress& progress, double from, double to,
    const std::string& what, Each&& each)
{
    auto& d = pass.model.impl();
    std::vector<CaptureRequest> requests;
    for (const LayerInfo* layer : pass.layers)
        requests.push_back({layer->path, true});
    const auto& plan = d.captures.plan(d.module, requests, false);
    int fitting = 0;
    const auto started = std::chrono::steady_clock::now();
    const size_t batch = size_t(std::max(1, pass.batch));
    for (size_t begin = 0; begin < images.size(); begin += batch) {
        progress.checkCancelled();
        const size_t end = std::min(images.size(), begin + batch);
        auto decoded =
            decodeImages(pass.folder, images, begin, end, pass.inputSize, threadBudget());
        std::vector<torch::Tensor> inputs;
        std::vector<const DecodedImage*> kept;
        for (auto& item : decoded) {
            if (!item.error.empty()) {
                if (skipped)
                    skipped->push_back({images[size_t(item.index)], item.error});
                continue;
            }
            inputs.push_back(imageToInput(item.image, d.metadata.input));
            kept.push_back(&item);
        }
        if (!inputs.empty()) {
            std::vector<torch::Tensor> maps;
            {
                c10::InferenceMode inference;
                maps =
                    runCaptureInChunks(d.module, plan, torch::cat(inputs, 0).to(d.device), fitting)
                        .activations;
            }
            for (size_t i = 0; i < kept.size(); ++i) {
                std::vector<torch::Tensor> mine;
                for (const auto& m : maps)
                    mine.push_back(m[int64_t(i)]);
                each(kept[i]->index, kept[i]->image, mine);
            }
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const double rate = double(end) / std::max(seconds, 1e-6);
        progress.report(from + (to - from) * double(end) / double(images.size()),
            what + " " + std::to_string(end) + "/" + std::to_string(images.size()) + " images, " +
                std::to_string(int(rate + 0.5)) + " images/s, ETA " +
                std::to_string(int(double(images.size() - end) / std::max(rate, 1e-6))) + " s");
    }
}

// Levels without a scan: the scan's own histograms, filled in a first pass (all layers at once).
std::vector<std::vector<float>> thresholdsByPass(const LayerPass& pass,
    const std::vector<std::string>& images, double quantile, Progress& progress)
{
    std::vector<std::vector<Histogram>> histograms;
    for (const LayerInfo* layer : pass.layers)
        histograms.emplace_back(static_cast<size_t>(layer->channels()));
    forEachImage(pass, images, nullptr, progress, 0.0, 0.5, "unit levels",
        [&](int, const RgbImage&, const std::vector<torch::Tensor>& maps) {
            for (size_t l = 0; l < maps.size(); ++l) {
                const auto values = maps[l].to(torch::kCPU, torch::kFloat32).contiguous();
                const int channels = int(histograms[l].size());
                const float* v = values.data_ptr<float>();
                const int64_t positions = values.numel() / channels;
                for (int c = 0; c < channels; ++c) {
                    auto& counts = histograms[l][size_t(c)].counts();
                    for (int64_t p = 0; p < positions; ++p)
                        ++counts[size_t(Histogram::binOf(v[c * positions + p]))];
                }
            }
        });
    std::vector<std::vector<float>> thresholds;
    for (const auto& layer : histograms) {
        thresholds.emplace_back();
        for (const auto& h : layer)
            thresholds.back().push_back(upperQuantile(h, quantile));
    }
    return thresholds;
}

std::string fileDigest(const std::string& path)
{
    return path.empty() ? std::string() : sha256OfFile(path);
}

std::string cacheKey(const std::string& layer, const DissectionConfig& config,
    const std::string& folder, const std::vector<std::string>& images, int maskSize, bool fromScan)
{
    Json key = Json::object();
    key["layer"] = layer;
    key["folder"] = folder;
    std::string names;
    for (const auto& i : images)
        names += i + '\n';
    key["images"] = sha256OfBytes(names);
    key["colours"] = config.sources.colours;
    key["labels"] = config.sources.labelFolder;
    key["csv"] = fileDigest(config.sources.labelCsv);
    key["quantile"] = config.quantile;
    key["detector_iou"] = config.detectorIoU;
    key["mask"] = maskSize;
    key["thresholds_from_scan"] = fromScan;
    return key.dump();
}

constexpr const char* kKind = "dissection/v1";

torch::Tensor regionOf(const torch::Tensor& maps, const torch::Tensor& thresholds, int maskSize)
{
    const auto up = at::upsample_bilinear2d(
        maps.unsqueeze(0).to(torch::kFloat32), {maskSize, maskSize}, false)[0];
    return (up > thresholds.view({-1, 1, 1})).to(torch::kFloat32).view({maps.size(0), -1});
}

// One layer's running counts over the folder.
struct LayerCount {
    const LayerInfo* layer = nullptr;
    torch::Tensor levels;  // (C) on the device
    torch::Tensor intersections;  // (C, concepts + 1): label 0 ("none") is column 0
    std::vector<torch::Tensor> unitArea;  // per plane: its images count for its concepts
    std::vector<std::vector<std::pair<float, int>>> top;  // (area, image) per unit
};

}  // namespace

std::vector<DissectionResult> dissectLayers(Model& model, Workspace* workspace,
    const DissectionConfig& config, const std::vector<std::string>& layerNames, Progress& progress,
    std::vector<bool>* fromCache)
{
    auto& d = model.impl();
    if (layerNames.empty())
        throw Error("choose at least one layer to dissect");
    std::vector<const LayerInfo*> layers;
    for (const auto& name : layerNames) {
        const LayerInfo& info = model.layer(name);
        if (!info.addressable)
            throw Error("layer '" + info.path + "' cannot be captured: " + info.note);
        if (!info.isSpatial())
            throw Error(
                "dissection needs a layer with spatial extent; '" + info.path + "' has none");
        layers.push_back(&info);
    }
    if (!(config.quantile > 0 && config.quantile <= 0.5))
        throw Error("the activation quantile must lie in (0, 0.5] (the paper's is 0.005)");
    if (!(config.detectorIoU >= 0 && config.detectorIoU <= 1))
        throw Error("the detector IoU must lie in [0, 1] (the paper's is 0.04)");
    const ConceptCatalogue catalogue = makeConceptCatalogue(config.sources);
    const int inputSize = d.metadata.input.size;
    const int maskSize = config.maskSize > 0 ? config.maskSize : std::min(112, inputSize);

    // Which images and which levels: the scan's, when it holds every layer asked for.
    std::string folder;
    {
        std::error_code error;
        const auto canonical = std::filesystem::weakly_canonical(config.folder, error);
        folder = error ? config.folder : canonical.string();
    }
    std::vector<std::string> images;
    std::vector<std::vector<float>> thresholds;
    bool fromScan = false;
    if (workspace) {
        try {
            std::vector<std::string> paths;
            for (const LayerInfo* l : layers)
                paths.push_back(l->path);
            const ScanResults scan = loadScan(*workspace, folder, paths);
            bool all = true;
            for (const LayerInfo* l : layers) {
                const auto it = scan.layers.find(l->path);
                if (it == scan.layers.end() || int64_t(it->second.size()) != l->channels()) {
                    all = false;
                    break;
                }
                thresholds.emplace_back();
                for (const auto& s : it->second)
                    thresholds.back().push_back(upperQuantile(s.histogram, config.quantile));
            }
            if (all) {
                images = scan.images;
                fromScan = true;
            } else {
                thresholds.clear();
            }
        } catch (const Error&) {
            // not scanned: levels from a first pass below
        }
    }
    if (!fromScan)
        images = listImageFolder(folder).images;
    images = evenlySpread(images, config.maxImages);
    if (images.empty())
        throw Error("no images (JPEG, PNG, BMP, WebP or TIFF files) in '" + folder + "'");

    // Layers already in the workspace are read back; the others share one pass.
    std::vector<DissectionResult> results(layers.size());
    std::vector<bool> cached(layers.size(), false);
    std::vector<size_t> todo;
    for (size_t l = 0; l < layers.size(); ++l) {
        if (workspace)
            if (const auto stored = workspace->get(
                    kKind, cacheKey(layers[l]->path, config, folder, images, maskSize, fromScan))) {
                try {
                    results[l] = deserializeDissection(*stored);
                    cached[l] = true;
                    continue;
                } catch (const Error&) {
                    // made again below
                }
            }
        todo.push_back(l);
    }
    if (fromCache)
        *fromCache = cached;
    if (todo.empty())
        return results;

    const auto started = std::chrono::steady_clock::now();
    LayerPass pass{model, {}, folder, inputSize, std::max(1, config.batchSize)};
    for (size_t l : todo)
        pass.layers.push_back(layers[l]);
    std::vector<std::vector<float>> levels;
    if (fromScan)
        for (size_t l : todo)
            levels.push_back(thresholds[l]);
    else
        levels = thresholdsByPass(pass, images, config.quantile, progress);
    const int concepts = int(catalogue.concepts.size());
    const auto doubles = torch::TensorOptions().dtype(torch::kFloat64).device(d.device);
    std::vector<LayerCount> counts;
    for (size_t i = 0; i < todo.size(); ++i) {
        const int64_t channels = pass.layers[i]->channels();
        LayerCount c;
        c.layer = pass.layers[i];
        c.levels = torch::tensor(levels[i]).to(d.device);
        c.intersections = torch::zeros({channels, concepts + 1}, doubles);
        c.unitArea = {torch::zeros({channels}, doubles), torch::zeros({channels}, doubles)};
        c.top.resize(static_cast<size_t>(channels));
        counts.push_back(std::move(c));
    }
    std::vector<std::uint64_t> conceptPixels(size_t(concepts) + 1, 0);
    std::vector<std::string> counted;
    std::vector<SkippedImage> skipped;
    forEachImage(pass, images, &skipped, progress, fromScan ? 0.0 : 0.5, 1.0, "dissecting",
        [&](int index, const RgbImage& image, const std::vector<torch::Tensor>& maps) {
            const RgbImage view = resizeAndCenterCrop(image, inputSize);
            const ConceptMasks masks = conceptMasksFor(
                catalogue, config.sources, view, inputSize, images[size_t(index)], maskSize);
            const int imageId = int(counted.size());
            counted.push_back(images[size_t(index)]);
            std::vector<torch::Tensor> labels(masks.planes.size());
            for (size_t p = 0; p < masks.planes.size(); ++p) {
                const auto& plane = masks.planes[p];
                if (plane.empty())
                    continue;
                labels[p] = torch::from_blob(
                    const_cast<std::int32_t*>(plane.data()), {int64_t(plane.size())}, torch::kInt32)
                                .to(d.device, torch::kLong);
                for (const auto l : plane)
                    ++conceptPixels[size_t(l)];
            }
            for (size_t l = 0; l < counts.size(); ++l) {
                LayerCount& c = counts[l];
                const int64_t channels = maps[l].size(0);
                // Channels in chunks: the upsampled maps of a whole layer at the mask size are
                // hundreds of megabytes per image, and fresh buffers that size cost more in page
                // faults than the counting itself; chunks of a few megabytes are reused.
                const int64_t chunk = std::max<int64_t>(1,
                    (d.device.is_cuda() ? (int64_t(1) << 26) : (int64_t(1) << 20)) /
                        (int64_t(maskSize) * maskSize));
                auto area = torch::empty({channels}, maps[l].options().dtype(torch::kFloat32));
                std::vector<torch::Tensor> inImage(labels.size());
                for (size_t p = 0; p < labels.size(); ++p)
                    if (labels[p].defined())
                        inImage[p] = torch::zeros({channels, concepts + 1}, area.options());
                for (int64_t first = 0; first < channels; first += chunk) {
                    const int64_t n = std::min(chunk, channels - first);
                    const auto region = regionOf(maps[l].narrow(0, first, n),
                        c.levels.narrow(0, first, n), maskSize);  // n x m^2
                    area.narrow(0, first, n).copy_(region.sum(1));
                    for (size_t p = 0; p < labels.size(); ++p)
                        if (labels[p].defined())  // exact in float: at most m^2 per image
                            inImage[p].narrow(0, first, n).index_add_(1, labels[p], region);
                }
                for (size_t p = 0; p < labels.size(); ++p) {
                    if (!labels[p].defined())
                        continue;
                    c.intersections += inImage[p].to(torch::kFloat64);
                    c.unitArea[p] += area.to(torch::kFloat64);
                }
                const auto areas = area.to(torch::kCPU).contiguous();
                const float* a = areas.data_ptr<float>();
                for (size_t k = 0; k < c.top.size(); ++k) {
                    if (a[k] <= 0)
                        continue;
                    auto& list = c.top[k];
                    list.emplace_back(a[k], imageId);
                    std::sort(list.begin(), list.end(),
                        [](const auto& x, const auto& y) { return x.first > y.first; });
                    if (int(list.size()) > kTopImages)
                        list.pop_back();
                }
            }
        });
    if (counted.empty())
        throw Error("none of the images in '" + folder + "' could be read");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    for (size_t i = 0; i < todo.size(); ++i) {
        const LayerCount& c = counts[i];
        const int channels = int(c.layer->channels());
        DissectionResult result;
        const auto inter = c.intersections.to(torch::kCPU).contiguous();
        const double* I = inter.data_ptr<double>();
        std::vector<torch::Tensor> areas;
        for (const auto& a : c.unitArea)
            areas.push_back(a.to(torch::kCPU).contiguous());
        result.iou.assign(size_t(channels) * size_t(concepts), 0.f);
        for (int k = 0; k < channels; ++k) {
            UnitDissection u;
            u.unit = k;
            u.threshold = levels[i][size_t(k)];
            for (const auto& [area, image] : c.top[size_t(k)])
                u.topImages.push_back(image);
            for (int concept = 0; concept < concepts; ++concept) {
                const double in = I[size_t(k) * size_t(concepts + 1) + size_t(concept) + 1];
                const int plane = catalogue.plane[size_t(concept)];
                const double unionArea = areas[size_t(plane)].data_ptr<double>()[k] +
                    double(conceptPixels[size_t(concept) + 1]) - in;
                const float iou = unionArea > 0 ? float(in / unionArea) : 0.f;
                result.iou[size_t(k) * size_t(concepts) + size_t(concept)] = iou;
                if (iou > u.iou) {
                    u.runnerUp = u.concept;
                    u.runnerUpIoU = u.iou;
                    u.concept = concept;
                    u.iou = iou;
                } else if (iou > u.runnerUpIoU) {
                    u.runnerUp = concept;
                    u.runnerUpIoU = iou;
                }
            }
            result.units.push_back(std::move(u));
        }
        result.modelHash = model.hash();
        result.layer = c.layer->path;
        result.folder = folder;
        result.maskSize = maskSize;
        result.quantile = config.quantile;
        result.detectorIoU = config.detectorIoU;
        result.thresholdsFromScan = fromScan;
        result.images = counted;
        result.skipped = skipped;
        result.concepts = catalogue.concepts;
        result.conceptPixels.assign(conceptPixels.begin() + 1, conceptPixels.end());
        result.seconds = seconds;
        if (workspace) {
            const std::string bytes = serializeDissection(result);
            const std::string key =
                cacheKey(result.layer, config, folder, images, maskSize, fromScan);
            workspace->cacheBestEffort([&] { workspace->put(kKind, key, bytes); });
        }
        results[todo[i]] = std::move(result);
    }
    return results;
}

DissectionResult dissectLayer(Model& model, Workspace* workspace, const DissectionConfig& config,
    Progress& progress, bool* fromCache)
{
    std::vector<bool> cached;
    auto results = dissectLayers(model, workspace, config, {config.layer}, progress, &cached);
    if (fromCache)
        *fromCache = cached.at(0);
    return std::move(results.at(0));
}

std::vector<DissectionExample> dissectionExamples(Model& model, const DissectionResult& result,
    const ConceptSources& sources, int unit, int concept)
{
    if (unit < 0 || unit >= int(result.units.size()))
        throw Error("unit " + std::to_string(unit) + " is not in this dissection");
    if (concept >= int(result.concepts.size()))
        throw Error("concept " + std::to_string(concept) + " is not in this dissection");
    auto& d = model.impl();
    const LayerInfo& info = model.layer(result.layer);
    const ConceptCatalogue catalogue = makeConceptCatalogue(sources);
    if (catalogue.concepts.size() != result.concepts.size())
        throw Error("the concept sources are not the ones this dissection used");
    const int inputSize = d.metadata.input.size;
    const UnitDissection& u = result.units[size_t(unit)];
    const auto level = torch::tensor(std::vector<float>{u.threshold}).to(d.device);
    std::vector<std::string> files;
    for (int i : u.topImages)
        if (i >= 0 && i < int(result.images.size()))
            files.push_back(result.images[size_t(i)]);
    std::vector<DissectionExample> out;
    LayerPass pass{model, {&info}, result.folder, inputSize, kTopImages};
    Progress quiet;
    forEachImage(pass, files, nullptr, quiet, 0, 1, "examples",
        [&](int index, const RgbImage& image, const std::vector<torch::Tensor>& layerMaps) {
            const torch::Tensor& maps = layerMaps.at(0);
            DissectionExample e;
            e.image = files[size_t(index)];
            e.view = resizeAndCenterCrop(image, inputSize);
            e.maskSize = result.maskSize;
            const auto region = regionOf(maps.narrow(0, unit, 1), level, result.maskSize)
                                    .to(torch::kCPU)
                                    .contiguous();
            e.unitRegion.assign(
                region.data_ptr<float>(), region.data_ptr<float>() + region.numel());
            const ConceptMasks masks =
                conceptMasksFor(catalogue, sources, e.view, inputSize, e.image, result.maskSize);
            e.conceptMask.assign(e.unitRegion.size(), 0);
            if (concept >= 0) {
                const auto& plane = masks.planes[size_t(catalogue.plane[size_t(concept)])];
                for (size_t i = 0; i < plane.size() && i < e.conceptMask.size(); ++i)
                    e.conceptMask[i] = plane[i] == concept + 1;
            }
            double in = 0, uni = 0;
            for (size_t i = 0; i < e.conceptMask.size(); ++i) {
                in += e.unitRegion[i] && e.conceptMask[i];
                uni += e.unitRegion[i] || e.conceptMask[i];
            }
            e.iou = uni > 0 ? in / uni : 0;
            out.push_back(std::move(e));
        });
    return out;
}

}  // namespace loupe
