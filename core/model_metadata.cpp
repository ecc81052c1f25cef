#include "core/model_metadata.h"

#include "core/error.h"

namespace loupe {
namespace {

std::array<float, 3> readTriple(const Json& v, const char* field)
{
    if (!v.isArray() || v.size() != 3)
        throw Error(std::string("loupe.json: input.") + field + " must be a list of 3 numbers");
    return {float(v.toArray()[0].toNumber()), float(v.toArray()[1].toNumber()), float(v.toArray()[2].toNumber())};
}

} // namespace

ModelMetadata ModelMetadata::fromJson(const std::string& text)
{
    Json doc;
    try {
        doc = Json::parse(text);
    } catch (const Error& e) {
        throw Error(std::string("loupe.json: ") + e.what());
    }
    if (!doc.isObject())
        throw Error("loupe.json: top level must be an object");

    ModelMetadata meta;
    meta.fromFile = true;
    meta.name = doc["name"].toString();
    meta.source = doc["source"].toString();
    meta.license = doc["license"].toString();
    for (const Json& label : doc["labels"].toArray())
        meta.labels.push_back(label.toString());

    const Json& input = doc["input"];
    if (input.isObject()) {
        if (input.contains("size")) {
            const Json& size = input["size"];
            // Accept 224 or [224, 224]; the models Loupe handles take square inputs.
            const double s = size.isArray() && size.size() > 0 ? size.toArray()[0].toNumber() : size.toNumber();
            if (s < 8 || s > 4096)
                throw Error("loupe.json: input.size must be between 8 and 4096");
            meta.input.size = int(s);
        }
        const std::string order = input["color_order"].toString();
        if (!order.empty() && order != "RGB" && order != "BGR")
            throw Error("loupe.json: input.color_order must be \"RGB\" or \"BGR\", got \"" + order + "\"");
        meta.input.bgr = order == "BGR";
        if (input.contains("range")) {
            const Json& r = input["range"];
            if (!r.isArray() || r.size() != 2 || r.toArray()[1].toNumber() <= r.toArray()[0].toNumber())
                throw Error("loupe.json: input.range must be [min, max] with min < max");
            meta.input.rangeMin = float(r.toArray()[0].toNumber());
            meta.input.rangeMax = float(r.toArray()[1].toNumber());
        }
        if (input.contains("mean"))
            meta.input.mean = readTriple(input["mean"], "mean");
        if (input.contains("std")) {
            meta.input.std = readTriple(input["std"], "std");
            for (float s : meta.input.std)
                if (s <= 0)
                    throw Error("loupe.json: input.std must be positive");
        }
    }
    for (const auto& [alias, path] : doc["layer_aliases"].toObject())
        meta.layerAliases[alias] = path.toString();
    return meta;
}

Json ModelMetadata::toJson() const
{
    Json doc = Json::object();
    doc["name"] = name;
    doc["source"] = source;
    doc["license"] = license;
    Json labelList = Json::array();
    for (const auto& l : labels)
        labelList.push(l);
    doc["labels"] = labelList;
    Json in = Json::object();
    in["size"] = input.size;
    in["color_order"] = input.bgr ? "BGR" : "RGB";
    in["range"] = Json(Json::Array{input.rangeMin, input.rangeMax});
    in["mean"] = Json(Json::Array{input.mean[0], input.mean[1], input.mean[2]});
    in["std"] = Json(Json::Array{input.std[0], input.std[1], input.std[2]});
    doc["input"] = in;
    Json aliases = Json::object();
    for (const auto& [a, p] : layerAliases)
        aliases[a] = p;
    doc["layer_aliases"] = aliases;
    return doc;
}

} // namespace loupe
