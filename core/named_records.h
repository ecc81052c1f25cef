#pragma once

#include "core/json.h"

#include <optional>
#include <string>

namespace loupe {

class Workspace;

// Small records a user names and keeps in the workspace (unit families, directions): a JSON
// document under `kind`, listed with Workspace::keys(kind).
void saveNamedRecord(
    Workspace& workspace, const std::string& kind, const std::string& name, const Json& record);
// Throws loupe::Error "no saved <what> named '<name>' in this workspace".
Json loadNamedRecord(const Workspace& workspace, const std::string& kind, const std::string& what,
    const std::string& name);

// For undo: a record exactly as stored (nullopt when there is none), and putting such a value
// back (nullopt removes the record).
std::optional<std::string> storedRecord(
    const Workspace& workspace, const std::string& kind, const std::string& name);
void restoreRecord(Workspace& workspace, const std::string& kind, const std::string& name,
    const std::optional<std::string>& bytes);

inline constexpr const char* kFamilyRecords = "family";  // unit families (unit_family.h)
inline constexpr const char* kDirectionRecords =
    "direction";  // named directions (named_directions.h)

}  // namespace loupe
