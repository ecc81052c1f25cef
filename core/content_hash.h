#pragma once

#include <string>

namespace loupe {

// SHA-256 of a file's bytes, as lowercase hex. Models are identified by this, so the same
// weights under another file name share one workspace. Throws loupe::Error if unreadable.
std::string sha256OfFile(const std::string& path);
std::string sha256OfBytes(const std::string& bytes);

}  // namespace loupe
