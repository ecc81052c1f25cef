#include "app/cli/commands.h"
#include "app/cli/cli_workspace.h"
#include "core/atlas.h"
#include "core/atlas_store.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"

#include <algorithm>
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
    config.samples.batchSize = args.positiveInt("batch", 32);
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
    config.patchesPerCell = 0;  // the written atlas draws icons; patches are the dock's stand-ins
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

}  // namespace

// --image-map: one point per image (pooled codes), thumbnails on the map, and the nearest
// neighbours of --neighbours-of IMAGE (a path relative to the folder).
int runImageMap(const Args& args, Model& model)
{
    LayoutConfig layout;
    layout.seed = std::uint64_t(args.intValue("seed", 0));
    layout.epochs = args.intValue("epochs", 200);
    layout.neighbours = args.intValue("neighbours", 15);
    layout.device = devicePreferenceFromString(args.value("device"));
    ImageMapRequest request;
    request.folder = args.required("images");
    request.layer = args.required("layer");
    request.maxImages = args.intValue("max-images", 0);
    request.thumbnailSize = args.intValue("thumbnail", 48);
    request.layout = layout;
    Progress progress(stderrProgress(args.has("quiet")));
    bool fromCache = false;
    const auto workspace = cacheWorkspaceForModel(args, model);
    const ImageMap map = workspace
        ? cachedImageMap(model, *workspace, request, progress, &fromCache)
        : buildImageMap(model, request.folder, request.layer, request.maxImages,
              request.thumbnailSize, request.layout, progress);
    endProgressLine(args.has("quiet"));
    Json out = Json::object();
    out["from_cache"] = fromCache;
    out["layer"] = map.layer;
    out["images"] = int(map.images.size());
    out["skipped"] = int(map.skipped.size());
    out["dimension"] = map.dimension;
    if (args.has("neighbours-of")) {
        const auto it =
            std::find(map.images.begin(), map.images.end(), args.value("neighbours-of"));
        if (it == map.images.end())
            throw Error("'" + args.value("neighbours-of") +
                "' is not one of the mapped images (give its path relative to the folder)");
        Json list = Json::array();
        for (int j : nearestImages(map, int(it - map.images.begin()), args.positiveInt("k", 8)))
            list.push(map.images[size_t(j)]);
        out["nearest"] = list;
    }
    if (args.has("out"))
        saveImage(imageMapPicture(map, args.intValue("side", 1600), args.intValue("thumbnail", 48)),
            args.value("out"));
    if (args.has("csv")) {
        std::string csv = "image,layout_x,layout_y\n";
        for (size_t i = 0; i < map.images.size(); ++i)
            csv += "\"" + map.images[i] + "\"," + std::to_string(map.coordinates[2 * i]) + "," +
                std::to_string(map.coordinates[2 * i + 1]) + "\n";
        writeFileAtomically(args.value("csv"), csv);
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

int runAtlas(const Args& args)
{
    args.allowOnly({"model", "device", "images", "layer", "samples-per-image", "max-images",
        "batch", "seed", "epochs", "neighbours", "grid", "min-count", "max-icons", "icon-size",
        "steps", "cell-pixels", "out", "csv", "quiet", "image-map", "neighbours-of", "k",
        "thumbnail", "side", "workspace", "no-cache"});
    const auto model = loadModel(args);
    if (args.has("image-map"))
        return runImageMap(args, *model);
    const AtlasConfig config = atlasConfigFromArgs(args, *model);
    Progress progress(stderrProgress(args.has("quiet")));
    // The same layer, folder and parameters are read back from the workspace (--no-cache: build anew).
    bool fromCache = false;
    const auto workspace = cacheWorkspaceForModel(args, *model);
    const Atlas atlas = workspace ? cachedAtlas(*model, *workspace, config, progress, &fromCache)
                                  : buildAtlas(*model, config, progress);
    endProgressLine(args.has("quiet"));
    Json out = stageJson(atlas);
    out["from_cache"] = fromCache;
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
    args.allowOnly({"model", "device", "images", "layer", "vectors", "max-images", "batch",
        "epochs", "grid", "max-icons", "icon-size", "steps", "seed"});
    const auto model = loadModel(args);
    AtlasConfig config = atlasConfigFromArgs(args, *model);
    const int vectors = args.intValue("vectors", 100000);
    const int images = int(listImages(config.samples.folder).size());
    const int usable =
        config.samples.maxImages > 0 ? std::min(images, config.samples.maxImages) : images;
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

}  // namespace loupe::cli
