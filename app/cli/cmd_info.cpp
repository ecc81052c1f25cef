#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/json.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {

int runInfo(const Args& args)
{
    args.allowOnly({"model", "device"});
    const auto model = loadModel(args);
    Json out = Json::object();
    out["model"] = model->path();
    out["name"] = model->displayName();
    out["hash"] = model->hash();
    out["device"] = model->device().name;
    out["input"] = model->metadata().toJson()["input"];
    out["metadata_file"] = model->metadata().fromFile;
    out["classes"] = model->numClasses();
    Json layers = Json::array();
    for (const auto& layer : model->layers()) {
        Json l = Json::object();
        l["path"] = layer.path;
        l["type"] = layer.type;
        if (!layer.alias.empty())
            l["alias"] = layer.alias;
        Json shape = Json::array();
        for (auto s : layer.shape)
            shape.push(Json(static_cast<long long>(s)));
        l["shape"] = shape;
        l["parameters"] = Json(static_cast<long long>(layer.parameters));
        l["addressable"] = layer.addressable;
        if (!layer.note.empty())
            l["note"] = layer.note;
        layers.push(l);
    }
    out["layers"] = layers;
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
