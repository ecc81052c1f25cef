#include "core/error.h"
#include "core/featurevis.h"
#include "core/unit_id.h"

#include <sstream>

namespace loupe {
namespace {

std::vector<std::string> split(const std::string& text, char separator)
{
    std::vector<std::string> parts;
    std::string current;
    std::istringstream in(text);
    while (std::getline(in, current, separator))
        parts.push_back(current);
    return parts;
}

int parseIndex(const std::string& text, const std::string& whole)
{
    try {
        size_t used = 0;
        const int v = std::stoi(text, &used);
        if (used == text.size() && v >= 0)
            return v;
    } catch (...) {
    }
    throw Error("invalid index '" + text + "' in objective '" + whole + "'");
}

ObjectiveTerm parseTerm(std::string text)
{
    ObjectiveTerm term;
    const std::string whole = text;
    if (const auto star = text.find('*'); star != std::string::npos) {
        try {
            term.weight = std::stof(text.substr(0, star));
        } catch (...) {
            throw Error("invalid weight in objective '" + whole + "'");
        }
        text = text.substr(star + 1);
    }
    const auto colon = text.find(':');
    const std::string kind = colon == std::string::npos ? std::string() : text.substr(0, colon);
    const std::string rest = colon == std::string::npos ? text : text.substr(colon + 1);
    if (kind == "logit" || kind == "probability" || kind == "prob") {
        term.kind = kind == "logit" ? ObjectiveTerm::Kind::Logit : ObjectiveTerm::Kind::Probability;
        term.channel = parseIndex(rest, whole);
        return term;
    }
    if (kind == "layer") {
        term.kind = ObjectiveTerm::Kind::Layer;
        term.layer = rest;
        if (rest.empty() || rest.find(':') != std::string::npos)
            throw Error("a layer objective is 'layer:NAME', got '" + whole + "'");
        return term;
    }
    if (kind == "concept") {
        // A learned concept, concept:LAYER:INDEX: its dictionary's direction, resolved from
        // the workspace like a saved direction (resolveDirections).
        const auto last = rest.rfind(':');
        if (last == std::string::npos || last == 0)
            throw Error("a concept objective is 'concept:LAYER:INDEX', got '" + whole + "'");
        parseIndex(rest.substr(last + 1), whole);
        term.kind = ObjectiveTerm::Kind::Direction;
        term.layer = text;
        return term;
    }
    if (kind == "direction") {
        // A saved direction's name; its layer and vector come from the workspace
        // (resolveDirections).
        if (rest.empty())
            throw Error("a direction objective is 'direction:NAME'");
        term.kind = ObjectiveTerm::Kind::Direction;
        term.layer = rest;
        return term;
    }
    if (kind == "neuron" || kind == "channel") {
        const UnitId unit = UnitId::parse(rest);
        if (!unit.hasChannel())
            throw Error("objective '" + whole + "' needs a channel (layer:channel)");
        term.kind = kind == "neuron" ? ObjectiveTerm::Kind::Neuron : ObjectiveTerm::Kind::Channel;
        term.layer = unit.layer;
        term.channel = unit.channel;
        term.x = unit.x;
        term.y = unit.y;
        return term;
    }
    // A bare unit: `layer:channel` is a channel objective, `layer:channel@x,y` a neuron.
    const UnitId unit = UnitId::parse(text);
    if (!unit.hasChannel())
        throw Error("objective '" + whole +
            "' is not a unit (layer:channel) nor kind:target "
            "(neuron, channel, layer, logit, probability)");
    term.kind = unit.hasPosition() ? ObjectiveTerm::Kind::Neuron : ObjectiveTerm::Kind::Channel;
    term.layer = unit.layer;
    term.channel = unit.channel;
    term.x = unit.x;
    term.y = unit.y;
    return term;
}

}  // namespace

std::vector<ObjectiveTerm> ObjectiveTerm::parse(const std::string& text)
{
    std::vector<ObjectiveTerm> terms;
    for (const auto& part : split(text, '+'))
        if (!part.empty())
            terms.push_back(parseTerm(part));
    if (terms.empty())
        throw Error("empty objective");
    return terms;
}

std::string ObjectiveTerm::toString() const
{
    std::ostringstream out;
    if (weight != 1.f)
        out << weight << '*';
    switch (kind) {
    case Kind::Neuron: out << "neuron:" << layer << ':' << channel << '@' << x << ',' << y; break;
    case Kind::Channel: out << "channel:" << layer << ':' << channel; break;
    case Kind::Layer: out << "layer:" << layer; break;
    case Kind::Logit: out << "logit:" << channel; break;
    case Kind::Probability: out << "probability:" << channel; break;
    case Kind::Direction:
        out << "direction:" << layer << ":[";
        for (size_t i = 0; i < direction.size(); ++i)
            out << (i ? "," : "") << direction[i];
        out << ']';
        break;
    }
    return out.str();
}

}  // namespace loupe
