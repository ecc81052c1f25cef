#pragma once

#include "core/json.h"

#include <string>

namespace loupe {

class Workspace;

// Small records a user names and keeps in the workspace (unit families, directions): a JSON
// document under `kind`, listed with Workspace::keys(kind).
void saveNamedRecord(Workspace& workspace, const std::string& kind, const std::string& name, const Json& record);
// Throws loupe::Error "no saved <what> named '<name>' in this workspace".
Json loadNamedRecord(const Workspace& workspace, const std::string& kind, const std::string& what, const std::string& name);

} // namespace loupe
