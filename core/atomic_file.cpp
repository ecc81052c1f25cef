#include "core/atomic_file.h"

#include "core/error.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace loupe {

void writeFileAtomically(const std::string& path, const std::string& bytes)
{
    const std::string temporary = path + ".part";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error("cannot write '" + path + "' (folder missing or not writable)");
        out.write(bytes.data(), std::streamsize(bytes.size()));
        out.flush();
        if (!out) {
            out.close();
            std::remove(temporary.c_str());
            throw Error("cannot write '" + path + "' (disk full?)");
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::remove(temporary.c_str());
        throw Error("cannot write '" + path + "': " + error.message());
    }
}

} // namespace loupe
