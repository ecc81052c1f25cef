#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/activations.h"
#include "core/colormap.h"
#include "core/error.h"
#include "core/featurevis_cache.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"
#include "core/semantic_dictionary.h"

#include <iostream>

namespace loupe::cli {

int runDictionary(const Args& args)
{
    args.allowOnly({"model", "device", "image", "layer", "at", "box", "k", "out", "workspace"});
    const auto model = loadModel(args);
    const RgbImage image = loadImage(args.required("image"));
    const auto acts = computeActivations(*model, image, args.required("layer"), false, 0);
    const auto [x, y] = parseNumberPair(args.required("at"), "at");
    if (x < 0 || y < 0 || x >= image.width || y >= image.height)
        throw Error("--at " + args.required("at") + " lies outside the image, which is " +
            std::to_string(image.width) + " x " + std::to_string(image.height) + " pixels");
    std::pair<double, double> box{0, 0};
    if (args.has("box"))
        box = parseNumberPair(args.required("box"), "box");
    if (box.first < 0 || box.second < 0)
        throw Error("--box expects a width and height of at least 0");
    const CellRange cells = cellsForBox(image.width, image.height, model->metadata().input.size,
        acts.width, acts.height, x, y, box.first, box.second);
    const auto entries = semanticDictionary(acts, cells, args.positiveInt("k", 8));

    Json out = Json::object();
    out["layer"] = acts.layer;
    out["cells"] = Json(Json::Array{cells.x0, cells.y0, cells.x1, cells.y1});
    Json list = Json::array();
    for (const auto& e : entries) {
        Json j = Json::object();
        j["channel"] = e.channel;
        j["value"] = e.value;
        j["share"] = e.share;
        list.push(j);
    }
    out["channels"] = list;
    if (args.has("out")) {
        // Thumbnails come from the workspace's feature-visualization cache (the latest render
        // of each channel: the Neuron dock's, `featurevis`, `featurevis --all`); a channel
        // without one shows its activation map.
        auto workspace = workspaceForModel(args, *model);
        int cached = 0;
        std::vector<RgbImage> tiles;
        for (const auto& e : entries) {
            if (auto thumb = channelPicture(*workspace, acts.layer, e.channel)) {
                tiles.push_back(*thumb);
                ++cached;
            } else {
                const FloatMap map = acts.channelMap(e.channel);
                tiles.push_back(
                    colorize(map, 0, std::max(1e-6f, acts.channelMax[size_t(e.channel)])));
            }
        }
        saveImage(tileGrid(tiles, int(std::max<size_t>(1, tiles.size())), 96, 3, 255),
            args.required("out"));
        out["out"] = args.value("out");
        out["thumbnails_from_cache"] = cached;
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
