#include "core/atomic_file.h"

#include "core/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace loupe {

void writeFileAtomically(const std::string& path, const std::string& bytes)
{
    const std::string temporary = path + ".part";
    // stdio rather than ofstream: errno after a failed write or close names the cause
    // ("No space left on device", "Permission denied").
    std::FILE* out = std::fopen(temporary.c_str(), "wb");
    if (!out)
        throw Error("cannot write '" + path + "': " + std::strerror(errno));
    const bool written =
        std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size() && std::fflush(out) == 0;
    const int writeError = errno;
    const bool closed = std::fclose(out) == 0;
    const int closeError = errno;
    if (!written || !closed) {
        std::remove(temporary.c_str());
        throw Error(
            "cannot write '" + path + "': " + std::strerror(!written ? writeError : closeError));
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::remove(temporary.c_str());
        throw Error("cannot write '" + path + "': " + error.message());
    }
}

std::string readWholeFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot read '" + path + "': " + std::strerror(errno));
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad())
        throw Error("cannot read '" + path + "': " + std::strerror(errno));
    return bytes;
}

}  // namespace loupe
