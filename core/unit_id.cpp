#include "core/unit_id.h"

#include "core/error.h"

#include <cctype>

namespace loupe {
namespace {

int parseNonNegative(const std::string& text, const std::string& what, const std::string& whole)
{
    if (text.empty() || text.size() > 9)
        throw Error("invalid " + what + " in unit '" + whole + "'");
    for (char c : text)
        if (!std::isdigit(static_cast<unsigned char>(c)))
            throw Error("invalid " + what + " '" + text + "' in unit '" + whole + "'");
    return std::stoi(text);
}

}  // namespace

std::string UnitId::toString() const
{
    std::string s = layer;
    if (hasChannel())
        s += ":" + std::to_string(channel);
    if (hasPosition())
        s += "@" + std::to_string(x) + "," + std::to_string(y);
    return s;
}

UnitId UnitId::parse(const std::string& text)
{
    UnitId id;
    std::string rest = text;
    const auto at = rest.find('@');
    if (at != std::string::npos) {
        const std::string pos = rest.substr(at + 1);
        rest = rest.substr(0, at);
        const auto comma = pos.find(',');
        if (comma == std::string::npos)
            throw Error("position in unit '" + text + "' must be x,y");
        id.x = parseNonNegative(pos.substr(0, comma), "x position", text);
        id.y = parseNonNegative(pos.substr(comma + 1), "y position", text);
    }
    // Module paths contain dots but never colons, so the last colon separates the channel.
    const auto colon = rest.rfind(':');
    if (colon != std::string::npos) {
        id.channel = parseNonNegative(rest.substr(colon + 1), "channel", text);
        rest = rest.substr(0, colon);
    } else if (id.hasPosition()) {
        throw Error("unit '" + text + "' has a position but no channel");
    }
    if (rest.empty())
        throw Error("unit '" + text + "' has no layer name");
    id.layer = rest;
    return id;
}

bool operator==(const UnitId& a, const UnitId& b)
{
    return a.layer == b.layer && a.channel == b.channel && a.x == b.x && a.y == b.y;
}

}  // namespace loupe
