#include "core/concept_vectors.h"

#include "core/activations.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/mapped_file.h"
#include "core/json.h"
#include "core/model.h"
#include "core/synthetic_shapes.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>

namespace loupe {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRecord = "store.json";
constexpr const char* kVectors = "vectors.f16";
constexpr const char* kOrigins = "origins.bin";

std::string inStore(const std::string& store, const char* name)
{
    return (fs::path(store) / name).string();
}

// The sampling and listing a store was made with: a resume must match them exactly.
Json recordOf(const CollectedVectors& c, const VectorCollectionConfig& config, int imagesDone)
{
    Json j = Json::object();
    j["format"] = 1;
    j["model_hash"] = c.modelHash;
    j["layer"] = c.layer;
    j["folder"] = config.folder;
    j["per_image"] = config.perImage;
    j["seed"] = static_cast<long long>(config.seed);
    j["dimensions"] = c.vectors.dimensions;
    j["height"] = c.height;
    j["width"] = c.width;
    Json images = Json::array();
    for (const auto& i : c.images)
        images.push(i);
    j["images"] = images;
    j["images_done"] = imagesDone;
    j["vectors"] = static_cast<long long>(c.origins.size());
    Json skipped = Json::array();
    for (const auto& s : c.skipped)
        skipped.push(s);
    j["skipped"] = skipped;
    return j;
}

std::string toHalf(const float* values, int count)
{
    cv::Mat half;
    cv::Mat(1, count, CV_32F, const_cast<float*>(values)).convertTo(half, CV_16F);
    return std::string(reinterpret_cast<const char*>(half.data), size_t(count) * 2);
}

// Which positions of an h x w grid to keep for image `index`: all, or a seeded sample.
std::vector<int> chosenPositions(int positions, int perImage, std::uint64_t seed, int index)
{
    std::vector<int> order(static_cast<size_t>(positions));
    std::iota(order.begin(), order.end(), 0);
    if (perImage <= 0 || perImage >= positions)
        return order;
    SeededRandom rng(seed * 1000003 + std::uint64_t(index));
    for (int i = 0; i < perImage; ++i)
        std::swap(order[size_t(i)], order[size_t(rng.integer(i, positions - 1))]);
    order.resize(size_t(perImage));
    std::sort(order.begin(), order.end());
    return order;
}

}  // namespace

std::uint64_t collectionBytes(const Model& model, const VectorCollectionConfig& config, int images)
{
    const LayerInfo& layer = model.layer(config.layer);
    const std::uint64_t positions =
        layer.isSpatial() ? std::uint64_t(layer.shape[1] * layer.shape[2]) : 1;
    const std::uint64_t kept =
        config.perImage > 0 ? std::min<std::uint64_t>(positions, config.perImage) : positions;
    return std::uint64_t(images) * kept *
        (std::uint64_t(layer.channels()) * 2 + sizeof(VectorOrigin));
}

CollectedVectors collectVectors(Model& model, const VectorCollectionConfig& config,
    const std::string& storeDirectory, Progress& progress)
{
    const LayerInfo& layer = model.layer(config.layer);
    if (!layer.addressable)
        throw Error("layer '" + layer.path + "' cannot be captured: " + layer.note);
    CollectedVectors c;
    c.layer = layer.path;
    c.modelHash = model.hash();
    c.folder = config.folder;
    c.images = evenlySpread(listImages(config.folder), config.maxImages);
    if (c.images.empty())
        throw Error("no images in '" + config.folder + "'");
    c.height = layer.isSpatial() ? int(layer.shape[1]) : 1;
    c.width = layer.isSpatial() ? int(layer.shape[2]) : 1;
    c.vectors.dimensions = int(layer.channels());

    std::error_code ec;
    fs::create_directories(storeDirectory, ec);
    if (ec)
        throw Error("cannot create the vector store '" + storeDirectory + "': " + ec.message());
    int start = 0;
    std::uint64_t vectorsDone = 0;
    if (fs::exists(inStore(storeDirectory, kRecord))) {
        const Json old = Json::parse(readWholeFile(inStore(storeDirectory, kRecord)));
        Json expected = recordOf(c, config, 0);
        for (const char* key : {"model_hash", "layer", "folder", "per_image", "seed", "images"})
            if (old[key].dump() != expected[key].dump())
                throw Error("'" + storeDirectory + "' holds vectors of another collection (its " +
                    std::string(key) + " differs): choose another folder or delete it");
        start = int(old["images_done"].toNumber());
        vectorsDone = std::uint64_t(old["vectors"].toNumber());
        for (const auto& s : old["skipped"].toArray())
            c.skipped.push_back(s.toString());
    }
    // Anything written after the last record belongs to an image that will be done again.
    const std::uint64_t dims = std::uint64_t(c.vectors.dimensions);
    for (const auto& [name, size] : {std::pair{kVectors, vectorsDone * dims * 2},
             std::pair{kOrigins, vectorsDone * sizeof(VectorOrigin)}}) {
        const std::string path = inStore(storeDirectory, name);
        if (!fs::exists(path))
            std::ofstream(path, std::ios::binary);
        fs::resize_file(path, size, ec);
        if (ec)
            throw Error("cannot prepare '" + path + "': " + ec.message());
    }
    std::ofstream vectorsOut(inStore(storeDirectory, kVectors), std::ios::binary | std::ios::app);
    std::ofstream originsOut(inStore(storeDirectory, kOrigins), std::ios::binary | std::ios::app);
    std::uint64_t written = vectorsDone;
    const auto checkpoint = [&](int imagesDone) {
        vectorsOut.flush();
        originsOut.flush();
        if (!vectorsOut || !originsOut)
            throw Error("cannot write the vector store '" + storeDirectory + "' (disk full?)");
        CollectedVectors counts = c;
        counts.origins.resize(size_t(written));
        writeFileAtomically(
            inStore(storeDirectory, kRecord), recordOf(counts, config, imagesDone).dump(1));
    };
    const int inputSize = model.metadata().input.size;
    for (int i = start; i < int(c.images.size()); ++i) {
        progress.checkCancelled();
        RgbImage image;
        try {
            image = decodeImageForModel(
                (fs::path(config.folder) / c.images[size_t(i)]).string(), inputSize);
        } catch (const Error& e) {
            c.skipped.push_back(c.images[size_t(i)] + ": " + e.what());
            continue;
        }
        const LayerActivations a = computeActivations(model, image, layer.path, false, 0);
        const int positions = a.height * a.width;
        std::vector<float> row(static_cast<size_t>(dims));
        for (int p : chosenPositions(positions, config.perImage, config.seed, i)) {
            for (std::uint64_t ch = 0; ch < dims; ++ch)
                row[size_t(ch)] = a.values[size_t(ch) * size_t(positions) + size_t(p)];
            vectorsOut << toHalf(row.data(), int(dims));
            const VectorOrigin o{i, std::int16_t(p % a.width), std::int16_t(p / a.width)};
            originsOut.write(reinterpret_cast<const char*>(&o), sizeof o);
            ++written;
        }
        if ((i + 1) % std::max(1, config.checkpointEvery) == 0)
            checkpoint(i + 1);
        progress.report(double(i + 1) / c.images.size(),
            std::to_string(i + 1) + "/" + std::to_string(c.images.size()) + " images, " +
                std::to_string(written) + " vectors");
    }
    checkpoint(int(c.images.size()));
    vectorsOut.close();
    originsOut.close();
    return loadCollectedVectors(storeDirectory);
}

bool collectedVectorsExist(const std::string& storeDirectory)
{
    std::error_code ec;
    return fs::exists(inStore(storeDirectory, kRecord), ec);
}

CollectedVectors loadCollectedVectors(const std::string& storeDirectory)
{
    const Json record = Json::parse(readWholeFile(inStore(storeDirectory, kRecord)));
    CollectedVectors c;
    c.layer = record["layer"].toString();
    c.modelHash = record["model_hash"].toString();
    c.folder = record["folder"].toString();
    for (const auto& i : record["images"].toArray())
        c.images.push_back(i.toString());
    for (const auto& s : record["skipped"].toArray())
        c.skipped.push_back(s.toString());
    c.height = int(record["height"].toNumber(1));
    c.width = int(record["width"].toNumber(1));
    c.vectors.dimensions = int(record["dimensions"].toNumber());
    const auto count = std::uint64_t(record["vectors"].toNumber());
    // Mapped, and converted from the map into the float32 vectors chunk by chunk: no copy of
    // the float16 file is held on the way.
    const MappedFile half(inStore(storeDirectory, kVectors));
    const MappedFile origins(inStore(storeDirectory, kOrigins));
    const std::uint64_t dims = std::uint64_t(c.vectors.dimensions);
    if (dims == 0 || half.size() < count * dims * 2 ||
        origins.size() < count * sizeof(VectorOrigin))
        throw Error("the vector store '" + storeDirectory + "' is truncated or corrupt");
    const std::uint64_t total = count * dims;
    c.vectors.values.resize(size_t(total));
    constexpr std::uint64_t kChunk = std::uint64_t(1) << 24;  // cv::Mat sizes are int
    for (std::uint64_t start = 0; start < total; start += kChunk) {
        const int n = int(std::min(kChunk, total - start));
        cv::Mat to(1, n, CV_32F, c.vectors.values.data() + start);
        cv::Mat(1, n, CV_16F, const_cast<char*>(half.data() + start * 2)).convertTo(to, CV_32F);
    }
    c.origins.resize(size_t(count));
    if (count > 0)
        std::memcpy(c.origins.data(), origins.data(), count * sizeof(VectorOrigin));
    return c;
}

std::vector<ConceptHit> topVectorsOfConcept(
    const SparseDictionary& dictionary, const VectorSet& vectors, int atom, int k)
{
    const std::vector<float> a = conceptActivations(dictionary, vectors, atom);
    std::vector<std::int64_t> order(a.size());
    std::iota(order.begin(), order.end(), std::int64_t(0));
    const size_t kept = std::min(order.size(), size_t(std::max(0, k)));
    std::partial_sort(order.begin(), order.begin() + long(kept), order.end(),
        [&](std::int64_t i, std::int64_t j) {
            return a[size_t(i)] > a[size_t(j)] || (a[size_t(i)] == a[size_t(j)] && i < j);
        });
    std::vector<ConceptHit> hits;
    for (size_t i = 0; i < kept; ++i)
        hits.push_back({order[i], a[size_t(order[i])]});
    return hits;
}

}  // namespace loupe
