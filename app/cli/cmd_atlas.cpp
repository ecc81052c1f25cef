#include "app/cli/commands.h"
#include "core/atlas.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {
namespace {

AtlasConfig atlasConfigFromArgs(const Args& args, const Model& model)
{
    AtlasConfig config;
    config.samples.folder = args.required("images");
    config.samples.layer = args.required("layer");
    config.samples.samplesPerImage = args.intValue("samples-per-image", 8);
    config.samples.maxImages = args.intValue("max-images", 0);
    config.samples.batchSize = args.intValue("batch", 32);
    config.samples.seed = std::uint64_t(args.intValue("seed", 0));
    config.layout.seed = config.samples.seed;
    config.layout.epochs = args.intValue("epochs", 200);
    config.layout.neighbours = args.intValue("neighbours", 15);
    config.layout.device = devicePreferenceFromString(args.value("device"));
    config.grid = args.intValue("grid", 40);
    config.minimumCount = args.intValue("min-count", 3);
    config.maximumIcons = args.intValue("max-icons", 400);
    config.icon.size = args.intValue("icon-size", 48);
    config.icon.steps = args.intValue("steps", 64);
    config.icon.seed = config.samples.seed;
    config.icon.previewEvery = 0;
    (void)model;
    return config;
}

Json stageJson(const Atlas& atlas)
{
    Json out = Json::object();
    out["layer"] = atlas.layer;
    out["images"] = int(atlas.samples.images.size());
    out["skipped"] = int(atlas.samples.skipped.size());
    out["samples"] = atlas.samples.count();
    out["dimension"] = atlas.samples.dimension;
    out["grid"] = atlas.grid;
    out["occupied_cells"] = int(atlas.cells.size());
    out["icons"] = int(atlas.icons.size());
    Json seconds = Json::object();
    seconds["collect"] = atlas.collectSeconds;
    seconds["layout"] = atlas.layoutSeconds;
    seconds["icons"] = atlas.iconSeconds;
    out["seconds"] = seconds;
    return out;
}

} // namespace

int runAtlas(const Args& args)
{
    args.allowOnly({"model", "device", "images", "layer", "samples-per-image", "max-images", "batch", "seed", "epochs",
                    "neighbours", "grid", "min-count", "max-icons", "icon-size", "steps", "cell-pixels", "out", "csv", "quiet"});
    const auto model = Model::load(args.required("model"), devicePreferenceFromString(args.value("device")));
    const AtlasConfig config = atlasConfigFromArgs(args, *model);
    Progress progress(stderrProgress(args.has("quiet")));
    const Atlas atlas = buildAtlas(*model, config, progress);
    endProgressLine(args.has("quiet"));
    Json out = stageJson(atlas);
    if (args.has("out")) {
        saveImage(atlasImage(atlas, args.intValue("cell-pixels", 32)), args.value("out"));
        out["out"] = args.value("out");
    }
    if (args.has("csv")) {
        writeFileAtomically(args.value("csv"), atlasCoordinatesCsv(atlas));
        out["csv"] = args.value("csv");
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

// bench atlas: the stage times of one atlas build (collect, layout, icons) for the requested
// number of vectors, spread over the folder's images.
int benchAtlas(const Args& args)
{
    args.allowOnly({"model", "device", "images", "layer", "vectors", "max-images", "batch", "epochs", "grid", "max-icons",
                    "icon-size", "steps", "seed"});
    const auto model = Model::load(args.required("model"), devicePreferenceFromString(args.value("device")));
    AtlasConfig config = atlasConfigFromArgs(args, *model);
    const int vectors = args.intValue("vectors", 100000);
    const int images = int(listImages(config.samples.folder).size());
    const int usable = config.samples.maxImages > 0 ? std::min(images, config.samples.maxImages) : images;
    config.samples.samplesPerImage = std::max(1, (vectors + usable - 1) / std::max(1, usable));
    config.maximumIcons = args.intValue("max-icons", 100);
    Progress progress;
    const Atlas atlas = buildAtlas(*model, config, progress);
    Json out = stageJson(atlas);
    out["device"] = model->device().name;
    out["samples_per_image"] = config.samples.samplesPerImage;
    out["icon_size"] = config.icon.size;
    out["icon_steps"] = config.icon.steps;
    std::cout << out.dump(2) << std::endl;
    return 0;
}

} // namespace loupe::cli
