// loupe-cli concepts collect | train | info | top: learned concept dictionaries (sparse
// autoencoders) over a layer's activation vectors, from the command line.

#include "app/cli/cli_workspace.h"
#include "app/cli/bench_support.h"
#include "app/cli/commands.h"
#include "core/atomic_file.h"
#include "core/concept_vectors.h"
#include "core/colormap.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/receptive_field.h"
#include "core/image_folder.h"
#include "core/json.h"
#include "core/model.h"
#include "core/sparse_dictionary.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <iostream>

namespace loupe::cli {
namespace {

Json qualityJson(const DictionaryQuality& q, int atoms)
{
    Json j = Json::object();
    j["explained_variance"] = q.explainedVariance;
    j["mean_l0"] = q.meanL0;
    j["dead_atoms"] = q.deadAtoms;
    j["dead_share"] = double(q.deadAtoms) / atoms;
    j["dense_atoms"] = q.denseAtoms;
    return j;
}

int collect(const Args& args)
{
    args.allowOnly({"model", "device", "images", "layer", "per-image", "max-images", "store",
        "quiet", "no-cache", "seed"});
    const auto model = loadModel(args);
    VectorCollectionConfig config;
    config.folder = args.required("images");
    config.layer = args.required("layer");
    config.perImage = args.intValue("per-image", 0, 0);
    config.maxImages = args.intValue("max-images", 0, 0);
    config.seed = std::uint64_t(args.intValue("seed", 0, 0));
    const bool quiet = args.has("quiet");
    const int images = int(evenlySpread(listImages(config.folder), config.maxImages).size());
    if (!quiet)
        std::cerr << "loupe-cli: about " << collectionBytes(*model, config, images) / 1048576
                  << " MiB for " << images << " images\n";
    Progress progress(stderrProgress(quiet));
    const auto start = std::chrono::steady_clock::now();
    const CollectedVectors c = collectVectors(*model, config, args.required("store"), progress);
    endProgressLine(quiet);
    Json out = Json::object();
    out["layer"] = c.layer;
    out["images"] = int(c.images.size());
    out["vectors"] = static_cast<long long>(c.vectors.count());
    out["dimensions"] = c.vectors.dimensions;
    out["bytes"] = static_cast<long long>(collectionBytes(*model, config, int(c.images.size())));
    out["seconds"] = secondsSince(start);
    Json skipped = Json::array();
    for (const auto& s : c.skipped)
        skipped.push(s);
    out["skipped"] = skipped;
    std::cout << out.dump(2) << std::endl;
    return 0;
}

int train(const Args& args)
{
    args.allowOnly(
        {"store", "atoms", "k", "steps", "batch", "lr", "seed", "seeds", "out", "quiet"});
    const auto start = std::chrono::steady_clock::now();
    const CollectedVectors c = loadCollectedVectors(args.required("store"));
    const double loadSeconds = secondsSince(start);
    SparseDictionaryConfig config;
    config.atoms = args.positiveInt("atoms", 1024);
    config.k = args.positiveInt("k", 32);
    config.steps = args.positiveInt("steps", 2000);
    config.batch = args.positiveInt("batch", 1024);
    config.learningRate = float(args.doubleValue("lr", config.learningRate));
    config.seed = std::uint64_t(args.intValue("seed", 0, 0));
    const int seeds = args.intValue("seeds", 1, 1, 2);
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    const auto trainStart = std::chrono::steady_clock::now();
    const SparseDictionary dictionary = trainTopKDictionary(c.vectors, config, progress);
    const double trainSeconds = secondsSince(trainStart);
    endProgressLine(quiet);
    writeFileAtomically(args.required("out"), serializeSparseDictionary(dictionary));
    Json out = Json::object();
    out["vectors"] = static_cast<long long>(c.vectors.count());
    out["dimensions"] = c.vectors.dimensions;
    out["atoms"] = config.atoms;
    out["k"] = config.k;
    out["steps"] = config.steps;
    out["load_seconds"] = loadSeconds;
    out["train_seconds"] = trainSeconds;
    out["quality"] = qualityJson(measureDictionary(dictionary, c.vectors), config.atoms);
    if (seeds == 2) {  // stability: a second seed's dictionary, matched atom to atom
        config.seed += 1;
        const SparseDictionary other = trainTopKDictionary(c.vectors, config, progress);
        endProgressLine(quiet);
        out["stability"] = matchedCosine(dictionary.decoder, other.decoder, dictionary.dimensions);
    }
    out["out"] = args.value("out");
    std::cout << out.dump(2) << std::endl;
    return 0;
}

int info(const Args& args)
{
    args.allowOnly({"store", "dictionary"});
    const CollectedVectors c = loadCollectedVectors(args.required("store"));
    const SparseDictionary d =
        deserializeSparseDictionary(readWholeFile(args.required("dictionary")));
    Json out = Json::object();
    out["layer"] = c.layer;
    out["atoms"] = d.atoms;
    out["k"] = d.k;
    out["quality"] = qualityJson(measureDictionary(d, c.vectors), d.atoms);
    std::cout << out.dump(2) << std::endl;
    return 0;
}

// The vectors' receptive-field crops as one grid (the dataset-example view).
RgbImage patchGrid(Model& model, const CollectedVectors& c, const std::string& folder,
    const std::vector<std::int64_t>& vectors)
{
    const ReceptiveField field = estimateReceptiveField(model, c.layer);
    std::vector<RgbImage> tiles;
    for (std::int64_t v : vectors) {
        const VectorOrigin& o = c.origins[size_t(v)];
        const RgbImage photo =
            loadImage((std::filesystem::path(folder) / c.images[size_t(o.image)]).string());
        tiles.push_back(
            exampleImage(photo, model.metadata().input.size, field, o.x, o.y, false, 96));
    }
    return tileGrid(tiles, int(std::ceil(std::sqrt(double(tiles.size())))), 96, 4);
}

int top(const Args& args)
{
    args.allowOnly(
        {"store", "dictionary", "concept", "k", "model", "device", "images", "out", "no-cache"});
    const CollectedVectors c = loadCollectedVectors(args.required("store"));
    const SparseDictionary d =
        deserializeSparseDictionary(readWholeFile(args.required("dictionary")));
    const int concept = args.intValue("concept", 0, 0);
    const int k = args.positiveInt("k", 9);
    const auto found = topVectorsOfConcept(d, c.vectors, concept, k);
    if (args.has("out")) {
        // The concept's patches, and beside them (…-channel.png) those of the channel its
        // direction weighs most: is the concept more than that channel?
        const auto model = loadModel(args);
        const std::string folder = args.required("images");
        // One patch per photo: neighbouring positions of one photo would fill the grid.
        const auto distinctPhotos = [&](const std::vector<std::int64_t>& ranked) {
            std::vector<std::int64_t> out;
            std::vector<std::int32_t> seen;
            for (std::int64_t v : ranked) {
                const std::int32_t image = c.origins[size_t(v)].image;
                if (std::find(seen.begin(), seen.end(), image) != seen.end())
                    continue;
                seen.push_back(image);
                out.push_back(v);
                if (int(out.size()) == k)
                    break;
            }
            return out;
        };
        std::vector<std::int64_t> vectors;
        for (const auto& h : topVectorsOfConcept(d, c.vectors, concept, k * 20))
            vectors.push_back(h.vector);
        saveImage(patchGrid(*model, c, folder, distinctPhotos(vectors)), args.value("out"));
        const float* direction = d.decoder.data() + size_t(concept) * size_t(d.dimensions);
        const int channel = int(std::max_element(direction, direction + d.dimensions) - direction);
        std::vector<std::int64_t> byChannel(size_t(c.vectors.count()));
        std::iota(byChannel.begin(), byChannel.end(), std::int64_t(0));
        const auto value = [&](std::int64_t v) {
            return c.vectors.values[size_t(v) * size_t(d.dimensions) + size_t(channel)];
        };
        const long ranked = std::min<long>(long(k) * 20, long(byChannel.size()));
        std::partial_sort(byChannel.begin(), byChannel.begin() + ranked, byChannel.end(),
            [&](std::int64_t a, std::int64_t b) { return value(a) > value(b); });
        byChannel.resize(size_t(ranked));
        byChannel = distinctPhotos(byChannel);
        const std::string channelOut =
            std::filesystem::path(args.value("out")).replace_extension("").string() +
            "-channel.png";
        saveImage(patchGrid(*model, c, folder, byChannel), channelOut);
        std::cerr << "loupe-cli: concept " << concept << " weighs channel " << channel
                  << " most; its patches: " << channelOut << "\n";
    }
    Json hits = Json::array();
    for (const auto& h : found) {
        const VectorOrigin& o = c.origins[size_t(h.vector)];
        Json j = Json::object();
        j["image"] = c.images[size_t(o.image)];
        j["x"] = o.x;
        j["y"] = o.y;
        j["activation"] = h.activation;
        hits.push(j);
    }
    Json out = Json::object();
    out["concept"] = concept;
    out["layer"] = c.layer;
    out["top"] = hits;
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace

int runConcepts(const Args& args)
{
    const auto& p = args.positional();
    const std::string what = p.empty() ? std::string() : p.front();
    if (what == "collect")
        return collect(args);
    if (what == "train")
        return train(args);
    if (what == "info")
        return info(args);
    if (what == "top")
        return top(args);
    throw Error("concepts needs collect, train, info or top");
}

}  // namespace loupe::cli
