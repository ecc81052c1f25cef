// loupe-cli concepts collect | train | info | top: learned concept dictionaries (sparse
// autoencoders) over a layer's activation vectors, from the command line.

#include "app/cli/cli_workspace.h"
#include "app/cli/bench_support.h"
#include "app/cli/commands.h"
#include "core/atomic_file.h"
#include "core/concept_dictionary_store.h"
#include "core/concept_page.h"
#include "core/concept_training.h"
#include "core/concept_replacement.h"
#include "core/concept_vectors.h"
#include "core/colormap.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/image_folder.h"
#include "core/json.h"
#include "core/model.h"
#include "core/sparse_dictionary.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <optional>
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

// --store DIR, else the layer's store beside the model's workspace (where the Concepts dock
// looks for it).
std::string storeOf(const Args& args, const Model& model)
{
    if (args.has("store"))
        return args.value("store");
    return conceptStoreDirectory(
        *workspaceForModel(args, model), model.layer(args.required("layer")).path);
}

Json agreementJson(const ReplacementAgreement& a)
{
    Json j = Json::object();
    j["images"] = a.images;
    j["top1_agreement"] = a.topOneAgreement;
    j["mean_ablation_top1_agreement"] = a.meanAblationAgreement;
    j["loss_recovered"] = a.lossRecovered;
    return j;
}

int collect(const Args& args)
{
    args.allowOnly({"model", "device", "images", "layer", "per-image", "max-images", "store",
        "quiet", "no-cache", "seed", "workspace"});
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
    const CollectedVectors c = collectVectors(*model, config, storeOf(args, *model), progress);
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

SparseDictionaryConfig trainingConfig(const Args& args)
{
    SparseDictionaryConfig config;
    config.atoms = args.positiveInt("atoms", 1024);
    config.k = args.positiveInt("k", 32);
    config.steps = args.positiveInt("steps", 2000);
    config.batch = args.positiveInt("batch", 1024);
    config.learningRate = float(args.doubleValue("lr", config.learningRate));
    config.seed = std::uint64_t(args.intValue("seed", 0, 0));
    return config;
}

// With --model: what the Concepts dock does — train, measure, index, test the agreement, and
// keep the dictionary as the layer's in the model's workspace.
int trainIntoWorkspace(const Args& args)
{
    const auto model = loadModel(args);
    const auto workspace = workspaceForModel(args, *model);
    const std::string store = args.has("store")
        ? args.value("store")
        : conceptStoreDirectory(*workspace, model->layer(args.required("layer")).path);
    const auto start = std::chrono::steady_clock::now();
    const CollectedVectors c = loadCollectedVectors(store);
    if (c.modelHash != model->hash())
        throw Error("the vectors in '" + store + "' were collected with another model");
    ConceptTrainingOptions options;
    options.config = trainingConfig(args);
    options.secondSeed = args.intValue("seeds", 1, 1, 2) == 2;
    options.agreementImages = args.intValue("agreement-images", 64, 0);
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    const TrainedConcepts trained = trainConcepts(*model, workspace.get(), c, options, progress);
    endProgressLine(quiet);
    if (args.has("out"))
        writeFileAtomically(
            args.value("out"), serializeSparseDictionary(trained.record.dictionary));
    const auto& r = trained.record;
    Json out = Json::object();
    out["layer"] = r.layer;
    out["vectors"] = static_cast<long long>(r.vectors);
    out["atoms"] = r.config.atoms;
    out["k"] = r.config.k;
    out["steps"] = r.config.steps;
    out["seconds"] = secondsSince(start);
    Json stages = Json::object();
    stages["training"] = trained.seconds.training;
    stages["measuring"] = trained.seconds.measuring;
    stages["second_seed"] = trained.seconds.secondSeed;
    stages["indexing"] = trained.seconds.indexing;
    stages["agreement"] = trained.seconds.agreement;
    out["stage_seconds"] = stages;
    out["quality"] = qualityJson(r.quality, r.config.atoms);
    if (r.stability)
        out["stability"] = *r.stability;
    if (r.agreement)
        out["replacement"] = agreementJson(*r.agreement);
    out["workspace"] = workspace->file();
    std::cout << out.dump(2) << std::endl;
    return 0;
}

int train(const Args& args)
{
    args.allowOnly({"store", "atoms", "k", "steps", "batch", "lr", "seed", "seeds", "out", "quiet",
        "model", "device", "layer", "workspace", "no-cache", "agreement-images"});
    if (args.has("model"))
        return trainIntoWorkspace(args);
    const auto start = std::chrono::steady_clock::now();
    const CollectedVectors c = loadCollectedVectors(args.required("store"));
    const double loadSeconds = secondsSince(start);
    SparseDictionaryConfig config = trainingConfig(args);
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
    args.allowOnly({"store", "dictionary", "model", "device", "images", "agreement-images", "quiet",
        "no-cache"});
    const CollectedVectors c = loadCollectedVectors(args.required("store"));
    const SparseDictionary d =
        deserializeSparseDictionary(readWholeFile(args.required("dictionary")));
    Json out = Json::object();
    out["layer"] = c.layer;
    out["atoms"] = d.atoms;
    out["k"] = d.k;
    out["quality"] = qualityJson(measureDictionary(d, c.vectors), d.atoms);
    if (args.has("model")) {  // the downstream test: the layer replaced by its reconstruction
        const auto model = loadModel(args);
        const bool quiet = args.has("quiet");
        Progress progress(stderrProgress(quiet));
        const auto start = std::chrono::steady_clock::now();
        const ReplacementAgreement a = measureReplacement(*model, c.layer, d,
            args.has("images") ? args.value("images") : c.folder,
            args.intValue("agreement-images", 200, 1), progress);
        endProgressLine(quiet);
        Json j = agreementJson(a);
        j["seconds"] = secondsSince(start);
        out["replacement"] = j;
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

// The examples' crops as one grid (the dataset-example view).
RgbImage patchGrid(const std::vector<ConceptExample>& examples)
{
    std::vector<RgbImage> tiles;
    for (const auto& e : examples)
        tiles.push_back(e.crop);
    if (tiles.empty())
        throw Error("none of the concept's photos can be read from the store's folder");
    return tileGrid(tiles, int(std::ceil(std::sqrt(double(tiles.size())))), 96, 4);
}

int top(const Args& args)
{
    args.allowOnly({"store", "dictionary", "concept", "k", "model", "device", "images", "out",
        "no-cache", "layer", "workspace"});
    const int concept = args.intValue("concept", 0, 0);
    const int k = args.positiveInt("k", 9);
    // --store and --dictionary files, or (without --dictionary) the layer's dictionary and
    // concept index in the model's workspace, as the Concepts dock keeps them.
    std::unique_ptr<Model> model;
    CollectedVectors c;
    SparseDictionary d;
    std::optional<ConceptSummary> summary;
    if (args.has("dictionary")) {
        c = loadCollectedVectors(args.required("store"));
        d = deserializeSparseDictionary(readWholeFile(args.required("dictionary")));
    } else {
        model = loadModel(args);
        const auto workspace = workspaceForModel(args, *model);
        const std::string layer = model->layer(args.required("layer")).path;
        const auto record = loadConceptDictionary(*workspace, layer);
        if (!record)
            throw Error("layer '" + layer + "' has no concept dictionary in " + workspace->file());
        d = record->dictionary;
        c = loadCollectedVectors(
            args.has("store") ? args.value("store") : conceptStoreDirectory(*workspace, layer));
        if (const auto index = loadConceptIndex(*workspace, layer))
            summary = index->summary(concept);
    }
    std::vector<ConceptHit> found;
    if (summary) {  // from the index: the strongest vectors where the concept is active
        for (size_t i = 0; i < summary->topVectors.size() && int(i) < k; ++i)
            found.push_back({summary->topVectors[i], summary->topActivations[i]});
    } else {
        found = topVectorsOfConcept(d, c.vectors, concept, k);
        if (args.has("out"))
            summary = summariseConcept(d, c.vectors, concept);
    }
    if (args.has("out")) {
        // The concept's patches, and beside them (…-channel.png) those of the channel its
        // direction weighs most: is the concept more than that channel?
        if (!model)
            model = loadModel(args);
        CollectedVectors store = c;
        if (args.has("images"))  // the photos moved since they were collected
            store.folder = args.value("images");
        const ConceptPage page = makeConceptPage(*model, store, d, *summary, concept, k, 96);
        saveImage(patchGrid(page.examples), args.value("out"));
        const std::string channelOut =
            std::filesystem::path(args.value("out")).replace_extension("").string() +
            "-channel.png";
        saveImage(patchGrid(page.channelExamples), channelOut);
        std::cerr << "loupe-cli: concept " << concept << " weighs channel " << page.topChannel
                  << " most (cosine " << page.topChannelWeight << "); its patches: " << channelOut
                  << "\n";
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
