#include "core/builtin_model.h"

#include <filesystem>

namespace loupe {

std::string builtinModelDirectory(const std::string& dataDirectory)
{
    return dataDirectory + "/builtin";
}

std::string builtinModelPath(const std::string& dataDirectory)
{
    return builtinModelDirectory(dataDirectory) + "/loupe-shapes.pt";
}

std::string packagedBuiltinModelPath(const std::string& executableDirectory)
{
    return (std::filesystem::path(executableDirectory) / ".." / "share" / "loupe" / "builtin" /
        "loupe-shapes.pt")
        .lexically_normal()
        .string();
}

std::string availableBuiltinModel(
    const std::string& dataDirectory, const std::string& executableDirectory)
{
    std::error_code error;
    for (const std::string& candidate :
        {builtinModelPath(dataDirectory), packagedBuiltinModelPath(executableDirectory)})
        if (std::filesystem::is_regular_file(candidate, error))
            return candidate;
    return {};
}

}  // namespace loupe
