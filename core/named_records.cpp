#include "core/named_records.h"

#include "core/error.h"
#include "core/workspace.h"

namespace loupe {

void saveNamedRecord(Workspace& workspace, const std::string& kind, const std::string& name, const Json& record)
{
    workspace.put(kind, name, record.dump());
}

Json loadNamedRecord(const Workspace& workspace, const std::string& kind, const std::string& what, const std::string& name)
{
    const auto stored = workspace.get(kind, name);
    if (!stored)
        throw Error("no saved " + what + " named '" + name + "' in this workspace");
    return Json::parse(*stored);
}

} // namespace loupe
