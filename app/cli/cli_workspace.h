#pragma once

#include "app/cli/cli_args.h"
#include "core/workspace.h"

#include <memory>

namespace loupe {
class Model;
}

namespace loupe::cli {

// --model on --device. The file-hash memo and the layer facts of earlier opens are reused from
// the data directory (a reopen skips hashing and the first forwards) unless --no-cache.
std::unique_ptr<Model> loadModel(const Args& args);

// --workspace FILE, else the model's default workspace in the data directory.
std::unique_ptr<Workspace> workspaceForModel(const Args& args, const Model& model);
// The same for commands whose workspace is only a cache: nullptr with --no-cache, and when it
// cannot be opened (a full disk, a read-only folder) a warning on stderr and nullptr, so the
// command still delivers its result.
std::unique_ptr<Workspace> cacheWorkspaceForModel(const Args& args, const Model& model);
// After the result is written: a warning on stderr when a cache write failed.
void warnAboutCache(const Workspace* workspace);
// --workspace FILE (required unless --model is given, whose default workspace is used).
std::unique_ptr<Workspace> existingWorkspace(const Args& args);

}  // namespace loupe::cli
