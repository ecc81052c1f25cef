// loupe-cli sanity: how far to trust each attribution method on this model, over a folder —
// faithfulness (deletion / insertion AUC, sparseness, complexity, completeness) and Adebayo's
// cascading randomisation and random-target checks, as CSV tables and one figure.

#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/atomic_file.h"
#include "core/attribution_evidence_store.h"
#include "core/attribution_methods.h"
#include "core/attribution_store.h"
#include "core/classify.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/image_io.h"
#include "core/model.h"
#include "core/trust_report.h"

#include <filesystem>
#include <iostream>

namespace loupe::cli {
namespace {

// Grad-CAM's default layer: the last top-level layer with a spatial grid (inception_5b).
std::string lastSpatialLayer(const Model& model)
{
    std::string layer;
    for (const auto& l : model.layers())
        if (l.depth == 0 && l.addressable && l.isSpatial() && l.shape[1] > 1)
            layer = l.path;
    return layer;
}

std::string fileName(const std::string& path)
{
    return std::filesystem::path(path).filename().string();
}

}  // namespace

int runSanity(const Args& args)
{
    args.allowOnly({"model", "device", "images", "methods", "count", "target", "layer", "steps",
        "fill", "ig-steps", "samples", "lime-samples", "superpixels", "no-sanity", "out", "quiet",
        "seed", "no-cache", "workspace"});
    const auto model = loadModel(args);
    if (model->numClasses() == 0 && !args.has("target"))
        throw Error("the model has no classes: give a --target (unit:L:C or layer:L)");
    std::vector<std::string> methods =
        splitList(args.value("methods", "saliency,inputxgrad,ig,gradcam,guided,deconvnet"));
    for (const auto& m : methods)
        attributionMethodFromString(m);  // a typo fails before hours of work
    const auto files =
        evenlySpread(listImages(args.required("images")), args.positiveInt("count", 50));
    if (files.empty())
        throw Error("no images in '" + args.value("images") + "'");
    const std::string outDir = args.value("out", "sanity");
    std::filesystem::create_directories(outDir);

    AttributionConfig config;
    config.layer = args.value("layer", lastSpatialLayer(*model));
    config.steps = args.positiveInt("ig-steps", 32);
    config.samples = args.positiveInt("samples", 16);
    config.limeSamples = args.intValue("lime-samples", config.limeSamples, 2);
    config.superpixels = args.intValue("superpixels", config.superpixels, 2);
    config.seed = std::uint64_t(args.intValue("seed", 0, 0));
    FaithfulnessConfig faithfulness;
    faithfulness.steps = args.positiveInt("steps", faithfulness.steps);
    faithfulness.fill = imputationFillFromString(args.value("fill", "blur"));
    SanityConfig sanity;
    sanity.seed = config.seed;
    const bool checks = !args.has("no-sanity");
    const auto workspace = cacheWorkspaceForModel(args, *model);
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));

    TrustReport report;
    Json skipped = Json::array();
    std::string firstProblem;
    const double units = double(files.size() * methods.size());
    for (size_t i = 0; i < files.size(); ++i) {
        RgbImage image;
        try {
            image = loadImage((std::filesystem::path(args.value("images")) / files[i]).string());
            config.target = args.has("target")
                ? AttributionTarget::parse(args.value("target"))
                : AttributionTarget::parse("class:" +
                      std::to_string(classifyImages(*model, {image}, 1, progress)[0][0].index));
        } catch (const Error& e) {
            Json j = Json::object();
            j["file"] = files[i];
            j["reason"] = e.what();
            skipped.push(j);
            if (firstProblem.empty())
                firstProblem = files[i] + ": " + e.what();
            continue;
        }
        for (size_t m = 0; m < methods.size(); ++m) {
            config.method = attributionMethodFromString(methods[m]);
            const double done = double(i * methods.size() + m);
            Progress step(
                [&](double f, const std::string& text) {
                    progress.report(
                        (done + f) / units, fileName(files[i]) + " " + methods[m] + ": " + text);
                },
                progress);
            const AttributionMap map =
                cachedAttribution(*model, workspace.get(), image, config, step);
            TrustSample sample{methods[m], fileName(files[i]),
                cachedFaithfulness(*model, workspace.get(), image, config, map, faithfulness, step),
                std::nullopt};
            if (checks)
                sample.sanity =
                    cachedSanityReport(*model, workspace.get(), image, config, map, sanity, step);
            report.add(std::move(sample));
        }
    }
    endProgressLine(quiet);
    if (report.empty())
        throw Error("none of the images could be used" +
            (firstProblem.empty() ? std::string() : " (" + firstProblem + ")"));

    const auto path = [&](const char* name) {
        return (std::filesystem::path(outDir) / name).string();
    };
    writeFileAtomically(path("sanity.csv"), report.summaryCsv());
    writeFileAtomically(path("sanity-per-image.csv"), report.perImageCsv());
    if (checks) {
        writeFileAtomically(path("sanity-cascade.csv"), report.cascadeCsv());
        saveImage(report.figure("Attribution sanity: " + model->displayName() + ", " +
                          std::to_string(files.size() - skipped.size()) + " images",
                      sanity.flagSpearman),
            path("sanity.png"));
    }
    Json out = Json::object();
    out["images"] = int(files.size() - skipped.size());
    out["fill"] = toString(faithfulness.fill);
    out["quantity"] = "probability of the top class";
    Json rows = Json::array();
    for (const auto& s : report.summaries()) {
        Json j = Json::object();
        j["method"] = s.method;
        j["deletion_auc"] = s.deletion;
        j["deletion_auc_std"] = s.deletionStd;
        j["insertion_auc"] = s.insertion;
        j["insertion_auc_std"] = s.insertionStd;
        if (checks) {
            j["upper_half_randomised_spearman"] = s.upperHalfSpearman;
            j["randomised_spearman"] = s.finalSpearman;
            j["randomised_spearman_std"] = s.finalSpearmanStd;
            j["flagged_images"] = s.flagged;
        }
        rows.push(j);
    }
    out["methods"] = rows;
    out["skipped"] = skipped;
    out["out"] = outDir;
    std::cout << out.dump(2) << std::endl;
    warnAboutCache(workspace.get());
    return 0;
}

}  // namespace loupe::cli
