#include "core/named_directions.h"

#include "core/error.h"
#include "core/json.h"
#include "core/named_records.h"
#include "core/workspace.h"

namespace loupe {
namespace {
constexpr const char* kKind = kDirectionRecords;
}  // namespace

void saveDirection(Workspace& workspace, const NamedDirection& direction)
{
    if (direction.name.empty() || direction.name.find(':') != std::string::npos ||
        direction.name.find('+') != std::string::npos)
        throw Error("a direction name must be non-empty and contain neither ':' nor '+'");
    Json doc = Json::object();
    doc["layer"] = direction.layer;
    Json values = Json::array();
    for (float v : direction.vector)
        values.push(v);
    doc["vector"] = values;
    saveNamedRecord(workspace, kKind, direction.name, doc);
}

NamedDirection loadDirection(const Workspace& workspace, const std::string& name)
{
    const Json doc = loadNamedRecord(workspace, kKind, "direction", name);
    NamedDirection d;
    d.name = name;
    d.layer = doc["layer"].toString();
    for (const auto& v : doc["vector"].toArray())
        d.vector.push_back(float(v.toNumber()));
    return d;
}

std::vector<std::string> directionNames(const Workspace& workspace)
{
    return workspace.keys(kKind);
}

void resolveDirections(std::vector<ObjectiveTerm>& objective, const Workspace& workspace)
{
    for (auto& term : objective) {
        if (term.kind != ObjectiveTerm::Kind::Direction || !term.direction.empty())
            continue;
        const NamedDirection d =
            loadDirection(workspace, term.layer);  // the parser stores the name there
        term.layer = d.layer;
        term.direction = d.vector;
    }
}

}  // namespace loupe
