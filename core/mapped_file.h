#pragma once
// A file mapped read-only into memory (POSIX mmap): large stores (a concept dictionary's
// float16 vectors) are converted straight from the page cache instead of being copied into a
// string first, which halves the peak memory of reading them.

#include <cstddef>
#include <string>

namespace loupe {

class MappedFile {
public:
    // Throws loupe::Error when the file cannot be opened or mapped. An empty file maps to
    // size() == 0 and data() == nullptr.
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const char* data() const { return data_; }
    std::size_t size() const { return size_; }

private:
    const char* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace loupe
