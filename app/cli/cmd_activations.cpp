#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/activation_grid.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {

int runActivations(const Args& args)
{
    args.allowOnly(
        {"model", "device", "image", "layer", "out", "pre-relu", "per-channel-scale", "tile"});
    const auto model = loadModel(args);
    const RgbImage image = loadImage(args.required("image"));
    const auto acts =
        computeActivations(*model, image, args.required("layer"), args.has("pre-relu"));

    Json out = Json::object();
    out["model_hash"] = model->hash();
    out["image"] = args.value("image");
    out["layer"] = acts.layer;
    out["pre_relu"] = acts.preRelu;
    out["shape"] = Json(Json::Array{acts.channels, acts.height, acts.width});
    Json channels = Json::array();
    for (int c = 0; c < acts.channels; ++c) {
        Json ch = Json::object();
        ch["channel"] = c;
        ch["mean"] = acts.channelMean[size_t(c)];
        ch["max"] = acts.channelMax[size_t(c)];
        ch["dead"] = bool(acts.dead[size_t(c)]);
        channels.push(ch);
    }
    out["channels"] = channels;
    out["dead_channels"] = acts.deadCount();
    Json predictions = Json::array();
    for (const auto& p : acts.predictions) {
        Json j = Json::object();
        j["index"] = p.index;
        j["label"] = p.label;
        j["probability"] = p.probability;
        predictions.push(j);
    }
    out["predictions"] = predictions;
    if (args.has("out")) {
        saveImage(activationGridImage(
                      acts, !args.has("per-channel-scale"), args.intValue("tile", 48, 4, 1024)),
            args.required("out"));
        out["grid"] = args.value("out");
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
