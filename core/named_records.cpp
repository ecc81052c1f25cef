#include "core/named_records.h"

#include "core/error.h"
#include "core/workspace.h"

namespace loupe {

void saveNamedRecord(
    Workspace& workspace, const std::string& kind, const std::string& name, const Json& record)
{
    workspace.put(kind, name, record.dump());
}

Json loadNamedRecord(const Workspace& workspace, const std::string& kind, const std::string& what,
    const std::string& name)
{
    const auto stored = workspace.get(kind, name);
    if (!stored)
        throw Error("no saved " + what + " named '" + name + "' in this workspace");
    return Json::parse(*stored);
}

std::optional<std::string> storedRecord(
    const Workspace& workspace, const std::string& kind, const std::string& name)
{
    return workspace.get(kind, name);
}

void restoreRecord(Workspace& workspace, const std::string& kind, const std::string& name,
    const std::optional<std::string>& bytes)
{
    if (bytes)
        workspace.put(kind, name, *bytes);
    else
        workspace.remove(kind, name);
}

}  // namespace loupe
