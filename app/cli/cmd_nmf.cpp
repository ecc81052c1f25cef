#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/named_directions.h"
#include "core/colormap.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"
#include "core/nmf.h"

#include <iostream>

namespace loupe::cli {
int runNmf(const Args& args)
{
    args.allowOnly({"model", "device", "image", "layer", "k", "iterations", "seed", "out", "save",
        "workspace"});
    const auto model = loadModel(args);
    std::vector<RgbImage> images;
    const auto paths = splitList(args.required("image"));
    for (const auto& p : paths)
        images.push_back(loadImage(p));
    const LayerFactors f =
        factorizeLayer(*model, images, args.required("layer"), args.positiveInt("k", 6),
            args.intValue("iterations", 300), std::uint64_t(args.intValue("seed", 0)));
    Json out = Json::object();
    out["layer"] = f.layer;
    out["k"] = f.k;
    out["relative_error"] = f.errorHistory.empty() ? 0.0 : double(f.errorHistory.back());
    Json components = Json::array();
    for (int k = 0; k < f.k; ++k) {
        // The strongest channels of each factor: its meaning in the layer's basis.
        std::vector<int> order(size_t(f.channels));
        for (int c = 0; c < f.channels; ++c)
            order[size_t(c)] = c;
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            return f.components[size_t(k * f.channels + a)] >
                f.components[size_t(k * f.channels + b)];
        });
        Json top = Json::array();
        for (int i = 0; i < std::min(5, f.channels); ++i)
            top.push(Json(Json::Array{
                order[size_t(i)], f.components[size_t(k * f.channels + order[size_t(i)])]}));
        components.push(top);
    }
    out["factors_top_channels"] = components;
    if (args.has("save")) {
        // Each factor becomes a named direction: NAME-0 .. NAME-(k-1), usable as
        // `featurevis --objective direction:NAME-i`.
        auto workspace = workspaceForModel(args, *model);
        Json saved = Json::array();
        for (int k = 0; k < f.k; ++k) {
            NamedDirection d;
            d.name = args.required("save") + "-" + std::to_string(k);
            d.layer = f.layer;
            d.vector.assign(
                f.components.begin() + k * f.channels, f.components.begin() + (k + 1) * f.channels);
            saveDirection(*workspace, d);
            saved.push(d.name);
        }
        out["saved_directions"] = saved;
    }
    if (args.has("out")) {
        const int size = model->metadata().input.size;
        std::vector<RgbImage> tiles;
        for (size_t i = 0; i < images.size(); ++i)
            tiles.push_back(nmfOverlay(images[i], size, f, f.maps[i]));
        saveImage(tileGrid(tiles, int(tiles.size()), size, 4, 255), args.required("out"));
        out["out"] = args.value("out");
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
