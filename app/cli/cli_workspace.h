#pragma once

#include "app/cli/cli_args.h"
#include "core/workspace.h"

#include <memory>

namespace loupe {
class Model;
}

namespace loupe::cli {

// --workspace FILE, else the model's default workspace in the data directory.
std::unique_ptr<Workspace> workspaceForModel(const Args& args, const Model& model);
// --workspace FILE (required unless --model is given, whose default workspace is used).
std::unique_ptr<Workspace> existingWorkspace(const Args& args);

} // namespace loupe::cli
