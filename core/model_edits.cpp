// The edit list as values: text and JSON forms, identity, and mean values from a scan's
// statistics. Applying edits to weights is in core/torch/model_edits.cpp.

#include "core/model_edits.h"

#include "core/content_hash.h"
#include "core/error.h"
#include "core/unit_id.h"
#include "core/unit_statistics.h"

#include <cstdio>
#include <sstream>

namespace loupe {
namespace {

const char* kindName(ModelEdit::Kind kind)
{
    switch (kind) {
    case ModelEdit::Kind::ZeroUnit: return "zero";
    case ModelEdit::Kind::MeanUnit: return "mean";
    case ModelEdit::Kind::CutWeights: return "cut";
    }
    return "zero";
}

ModelEdit::Kind kindFromName(const std::string& name)
{
    if (name == "zero")
        return ModelEdit::Kind::ZeroUnit;
    if (name == "mean")
        return ModelEdit::Kind::MeanUnit;
    if (name == "cut")
        return ModelEdit::Kind::CutWeights;
    throw Error("unknown edit '" + name + "' (zero, mean or cut)");
}

int parseIndex(const std::string& text, const std::string& what)
{
    try {
        size_t used = 0;
        const int value = std::stoi(text, &used);
        if (used == text.size() && value >= 0)
            return value;
    } catch (const std::exception&) {
    }
    throw Error("'" + text + "' is not a " + what + " (a number from 0)");
}

bool sameUnit(const ModelEdit& a, const ModelEdit& b)
{
    const auto unit = [](ModelEdit::Kind k) { return k != ModelEdit::Kind::CutWeights; };
    return unit(a.kind) && unit(b.kind) && a.layer == b.layer && a.channel == b.channel;
}

}  // namespace

std::string ModelEdit::toString() const
{
    std::string text = std::string(kindName(kind)) + " " + layer + ":" + std::to_string(channel);
    if (kind == Kind::CutWeights)
        text += "<-" + std::to_string(inputChannel);
    if (kind == Kind::MeanUnit) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "=%.6g", value);
        text += buffer;
    }
    return text;
}

ModelEdit ModelEdit::parse(const std::string& text)
{
    const auto space = text.find(' ');
    if (space == std::string::npos)
        throw Error("edit '" + text + "': expected 'zero L:C', 'mean L:C[=V]' or 'cut L:C<-I'");
    ModelEdit edit;
    edit.kind = kindFromName(text.substr(0, space));
    std::string unit = text.substr(space + 1);
    if (edit.kind == Kind::CutWeights) {
        const auto arrow = unit.rfind("<-");
        if (arrow == std::string::npos)
            throw Error("edit '" + text + "': a cut names its input channel, 'cut L:C<-I'");
        edit.inputChannel = parseIndex(unit.substr(arrow + 2), "input channel");
        unit = unit.substr(0, arrow);
    }
    if (edit.kind == Kind::MeanUnit) {
        if (const auto equals = unit.rfind('='); equals != std::string::npos) {
            try {
                edit.value = std::stod(unit.substr(equals + 1));
            } catch (const std::exception&) {
                throw Error("edit '" + text + "': the mean after '=' is not a number");
            }
            unit = unit.substr(0, equals);
        }
    }
    const UnitId id = UnitId::parse(unit);
    if (!id.hasChannel() || id.hasPosition())
        throw Error("edit '" + text + "': name a unit as LAYER:CHANNEL");
    edit.layer = id.layer;
    edit.channel = id.channel;
    return edit;
}

Json ModelEdit::toJson() const
{
    Json json = Json::object();
    json["kind"] = kindName(kind);
    json["layer"] = layer;
    json["channel"] = channel;
    if (kind == Kind::CutWeights)
        json["input_channel"] = inputChannel;
    if (kind == Kind::MeanUnit)
        json["value"] = value;
    return json;
}

ModelEdit ModelEdit::fromJson(const Json& json)
{
    if (!json.isObject() || !json["kind"].isString() || !json["layer"].isString() ||
        !json["channel"].isNumber())
        throw Error("an edit must have kind, layer and channel");
    ModelEdit edit;
    edit.kind = kindFromName(json["kind"].toString());
    edit.layer = json["layer"].toString();
    edit.channel = int(json["channel"].toNumber());
    edit.inputChannel = int(json["input_channel"].toNumber(-1));
    edit.value = json["value"].toNumber(0);
    if (edit.channel < 0 || (edit.kind == Kind::CutWeights && edit.inputChannel < 0))
        throw Error("edit '" + edit.toString() + "' has a negative channel");
    return edit;
}

bool ModelEdit::operator==(const ModelEdit& other) const
{
    return kind == other.kind && layer == other.layer && channel == other.channel &&
        inputChannel == other.inputChannel && value == other.value;
}

Json EditList::toJson() const
{
    Json list = Json::array();
    for (const auto& edit : edits)
        list.push(edit.toJson());
    return list;
}

EditList EditList::fromJson(const Json& json)
{
    if (!json.isArray())
        throw Error("the edit list must be a JSON array");
    EditList list;
    for (const Json& item : json.toArray())
        list.edits.push_back(ModelEdit::fromJson(item));
    return list;
}

std::string EditList::digest() const
{
    return sha256OfBytes(toJson().dump());
}

bool EditList::add(const ModelEdit& edit)
{
    for (auto& existing : edits) {
        if (existing == edit)
            return false;
        if (sameUnit(existing, edit)) {
            existing = edit;
            return true;
        }
    }
    edits.push_back(edit);
    return true;
}

std::vector<ModelEdit> unitEdits(
    ModelEdit::Kind kind, const std::string& layer, const std::vector<int>& channels)
{
    std::vector<ModelEdit> edits;
    for (int channel : channels) {
        ModelEdit edit;
        edit.kind = kind;
        edit.layer = layer;
        edit.channel = channel;
        edits.push_back(edit);
    }
    return edits;
}

double positivePartMean(const ChannelStatistics& statistics)
{
    if (statistics.count == 0)
        return 0;
    const auto& counts = statistics.histogram.counts();
    double sum = 0;
    for (int bin = Histogram::kLevels; bin < Histogram::kBins; ++bin)
        if (counts[size_t(bin)])
            sum += double(counts[size_t(bin)]) * 0.5 *
                (double(Histogram::binLow(bin)) + double(Histogram::binHigh(bin)));
    return sum / double(statistics.count);
}

}  // namespace loupe
