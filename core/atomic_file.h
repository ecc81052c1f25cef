#pragma once

#include <string>

namespace loupe {

// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
// reader (or a crash) never sees half a file. Throws loupe::Error saying why it cannot.
void writeFileAtomically(const std::string& path, const std::string& bytes);

// The whole file's bytes. Throws loupe::Error saying why it cannot read them.
std::string readWholeFile(const std::string& path);

}  // namespace loupe
