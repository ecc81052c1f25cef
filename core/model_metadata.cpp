#include "core/model_metadata.h"

#include "core/error.h"

#include <cmath>

namespace loupe {
namespace {

// Every field is checked for its type and, for numbers, finiteness: a wrong value refused
// with the field's name beats one read as 0 or NaN and silently shifting every result.
double finiteNumber(const Json& v, const std::string& field)
{
    if (!v.isNumber() || !std::isfinite(v.toNumber()))
        throw Error("loupe.json: " + field + " must be a finite number");
    return v.toNumber();
}

std::string optionalString(const Json& doc, const std::string& field)
{
    if (!doc.contains(field) || doc[field].isNull())
        return {};
    if (!doc[field].isString())
        throw Error("loupe.json: " + field + " must be a string");
    return doc[field].toString();
}

std::array<float, 3> readTriple(const Json& v, const char* field)
{
    const std::string name = std::string("input.") + field;
    if (!v.isArray() || v.size() != 3)
        throw Error("loupe.json: " + name + " must be a list of 3 numbers");
    std::array<float, 3> out{};
    for (size_t i = 0; i < 3; ++i) {
        const double x = finiteNumber(v.toArray()[i], name + "[" + std::to_string(i) + "]");
        if (std::abs(x) > 1e30)
            throw Error("loupe.json: " + name + "[" + std::to_string(i) + "] is out of range");
        out[i] = float(x);
    }
    return out;
}

}  // namespace

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
    meta.name = optionalString(doc, "name");
    meta.source = optionalString(doc, "source");
    meta.license = optionalString(doc, "license");
    if (doc.contains("labels") && !doc["labels"].isNull()) {
        if (!doc["labels"].isArray())
            throw Error("loupe.json: labels must be a list of strings, one per class");
        for (const Json& label : doc["labels"].toArray()) {
            if (!label.isString())
                throw Error("loupe.json: labels[" + std::to_string(meta.labels.size()) +
                    "] must be a string");
            meta.labels.push_back(label.toString());
        }
    }

    const Json& input = doc["input"];
    if (!input.isNull() && !input.isObject())
        throw Error("loupe.json: input must be an object");
    if (input.isObject()) {
        if (input.contains("size")) {
            const Json& size = input["size"];
            // Accept 224 or [224, 224]; the models Loupe handles take square inputs.
            const double s = finiteNumber(
                size.isArray() && size.size() > 0 ? size.toArray()[0] : size, "input.size");
            if (s < 8 || s > 4096 || s != std::floor(s))
                throw Error("loupe.json: input.size must be a whole number between 8 and 4096");
            meta.input.size = int(s);
        }
        const std::string order = optionalString(input, "color_order");
        if (!order.empty() && order != "RGB" && order != "BGR")
            throw Error(
                "loupe.json: input.color_order must be \"RGB\" or \"BGR\", got \"" + order + "\"");
        meta.input.bgr = order == "BGR";
        if (input.contains("range")) {
            const Json& r = input["range"];
            if (!r.isArray() || r.size() != 2)
                throw Error("loupe.json: input.range must be [min, max] with min < max");
            const double lo = finiteNumber(r.toArray()[0], "input.range[0]"),
                         hi = finiteNumber(r.toArray()[1], "input.range[1]");
            if (hi <= lo || std::abs(lo) > 1e30 || std::abs(hi) > 1e30)
                throw Error("loupe.json: input.range must be [min, max] with min < max");
            meta.input.rangeMin = float(lo);
            meta.input.rangeMax = float(hi);
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
    const Json& aliases = doc["layer_aliases"];
    if (!aliases.isNull() && !aliases.isObject())
        throw Error("loupe.json: layer_aliases must be an object of alias: module path");
    for (const auto& [alias, path] : aliases.toObject()) {
        if (!path.isString())
            throw Error("loupe.json: layer_aliases." + alias + " must be a module path (a string)");
        meta.layerAliases[alias] = path.toString();
    }
    if (doc.contains("edits") && !doc["edits"].isNull()) {
        meta.edits = doc["edits"];  // checked by EditList::fromJson where it is used
        meta.editedFrom = optionalString(doc, "edited_from");
    }
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
    if (!edits.isNull()) {
        doc["edits"] = edits;
        doc["edited_from"] = editedFrom;
    }
    return doc;
}

}  // namespace loupe
