#include "app/cli/cli_workspace.h"

#include "core/content_hash.h"
#include "core/error.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {

std::unique_ptr<Model> loadModel(const Args& args)
{
    ModelOpenOptions options;
    if (!args.has("no-cache"))
        options.dataDirectory = Workspace::defaultDataDirectory();
    return Model::load(
        args.required("model"), devicePreferenceFromString(args.value("device")), options);
}

std::unique_ptr<Workspace> workspaceForModel(const Args& args, const Model& model)
{
    const std::string file = args.value(
        "workspace", Workspace::fileForModel(Workspace::defaultDataDirectory(), model.hash()));
    return Workspace::open(file, model.hash());
}

std::unique_ptr<Workspace> cacheWorkspaceForModel(const Args& args, const Model& model)
{
    if (args.has("no-cache"))
        return nullptr;
    try {
        return workspaceForModel(args, model);
    } catch (const Error& e) {
        std::cerr << "loupe-cli: warning: working without the workspace cache: " << e.what()
                  << "\n";
        return nullptr;
    }
}

void warnAboutCache(const Workspace* workspace)
{
    if (workspace && !workspace->cacheProblem().empty())
        std::cerr << "loupe-cli: warning: the result was not cached: " << workspace->cacheProblem()
                  << "\n";
}

std::unique_ptr<Workspace> existingWorkspace(const Args& args)
{
    if (args.has("workspace"))
        return Workspace::openExisting(args.required("workspace"));
    if (args.has("model")) {
        const std::string hash = sha256OfFile(args.required("model"));
        return Workspace::openExisting(
            Workspace::fileForModel(Workspace::defaultDataDirectory(), hash));
    }
    throw Error("missing --workspace (or --model to use its default workspace)");
}

}  // namespace loupe::cli
