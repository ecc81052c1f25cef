#include "core/named_directions.h"

#include "core/concept_dictionary_store.h"
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
        // The parser stores the name there: a saved direction's, or concept:LAYER:INDEX.
        if (term.layer.rfind("concept:", 0) == 0) {
            const std::string id = term.layer.substr(8);
            const auto colon = id.rfind(':');
            const std::string layer = id.substr(0, colon);
            const int concept = std::stoi(id.substr(colon + 1));
            const auto record = loadConceptDictionary(workspace, layer);
            if (!record)
                throw Error("layer '" + layer +
                    "' has no concept dictionary (train one in the "
                    "Concepts dock or with loupe-cli concepts)");
            if (concept < 0 || concept >= record->dictionary.atoms)
                throw Error("concept " + std::to_string(concept) +
                    " is not in the dictionary of '" + layer + "' (" +
                    std::to_string(record->dictionary.atoms) + " concepts)");
            const int dims = record->dictionary.dimensions;
            const auto begin = record->dictionary.decoder.begin() + std::ptrdiff_t(concept) * dims;
            term.layer = layer;
            term.direction.assign(begin, begin + dims);
            continue;
        }
        const NamedDirection d = loadDirection(workspace, term.layer);
        term.layer = d.layer;
        term.direction = d.vector;
    }
}

}  // namespace loupe
