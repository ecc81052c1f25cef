#pragma once
// The SHA-256 of a model file, remembered by path, size and modification time (as make
// trusts timestamps): reopening a 30 MB model need not read it twice. The memo is a small JSON
// file in the data directory, written atomically; losing it only costs a rehash.

#include <string>

namespace loupe {

// memoFile empty: just hash. A memo that cannot be read or written is ignored. `fromMemo`
// says whether the file was not read.
std::string memoisedFileHash(
    const std::string& path, const std::string& memoFile, bool* fromMemo = nullptr);

// <dataDirectory>/file-hashes.json
std::string fileHashMemoPath(const std::string& dataDirectory);

}  // namespace loupe
