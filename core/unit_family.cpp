#include "core/unit_family.h"

#include "core/error.h"
#include "core/json.h"
#include "core/named_records.h"
#include "core/workspace.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace loupe {
namespace {
constexpr const char* kKind = kFamilyRecords;
}  // namespace

std::string UnitFamily::toString() const
{
    std::string text = layer + ":";
    for (size_t i = 0; i < channels.size(); ++i)
        text += (i ? "," : "") + std::to_string(channels[i]);
    return text;
}

UnitFamily UnitFamily::parse(const std::string& text)
{
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw Error("a family is 'layer:c1,c2,...', not '" + text + "'");
    UnitFamily family;
    family.layer = text.substr(0, colon);
    std::stringstream in(text.substr(colon + 1));
    for (std::string part; std::getline(in, part, ',');) {
        if (part.empty())
            continue;
        char* end = nullptr;
        const long channel = std::strtol(part.c_str(), &end, 10);
        if (end != part.c_str() + part.size() || channel < 0)
            throw Error("'" + part + "' is not a channel number in '" + text + "'");
        if (std::find(family.channels.begin(), family.channels.end(), int(channel)) ==
            family.channels.end())
            family.channels.push_back(int(channel));
    }
    if (family.channels.empty())
        throw Error("the family '" + text + "' names no channels");
    return family;
}

void saveFamily(Workspace& workspace, const UnitFamily& family)
{
    if (family.name.empty() || family.name.find(':') != std::string::npos)
        throw Error("a family name must be non-empty and contain no ':'");
    if (family.channels.empty())
        throw Error("a family needs at least one channel");
    Json doc = Json::object();
    doc["layer"] = family.layer;
    Json channels = Json::array();
    for (int c : family.channels)
        channels.push(c);
    doc["channels"] = channels;
    saveNamedRecord(workspace, kKind, family.name, doc);
}

UnitFamily loadFamily(const Workspace& workspace, const std::string& name)
{
    const Json doc = loadNamedRecord(workspace, kKind, "family", name);
    UnitFamily family;
    family.name = name;
    family.layer = doc["layer"].toString();
    for (const auto& c : doc["channels"].toArray())
        family.channels.push_back(int(c.toNumber()));
    return family;
}

std::vector<std::string> familyNames(const Workspace& workspace)
{
    return workspace.keys(kKind);
}

UnitFamily familyFromText(const Workspace* workspace, const std::string& text)
{
    if (text.find(':') == std::string::npos) {
        if (!workspace)
            throw Error("'" + text +
                "' is not 'layer:c1,c2,...' and there is no workspace to look a saved family up "
                "in");
        return loadFamily(*workspace, text);
    }
    return UnitFamily::parse(text);
}

}  // namespace loupe
