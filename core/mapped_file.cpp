#include "core/mapped_file.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loupe {

MappedFile::MappedFile(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error("cannot open '" + path + "': " + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int error = errno;
        ::close(fd);
        throw Error("cannot read '" + path + "': " + std::strerror(error));
    }
    size_ = std::size_t(info.st_size);
    if (size_ > 0) {
        void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapped == MAP_FAILED) {
            const int error = errno;
            ::close(fd);
            throw Error("cannot map '" + path + "': " + std::strerror(error));
        }
        ::madvise(mapped, size_, MADV_SEQUENTIAL);  // read once, front to back
        data_ = static_cast<const char*>(mapped);
    }
    ::close(fd);  // the mapping stays valid
}

MappedFile::~MappedFile()
{
    if (data_)
        ::munmap(const_cast<char*>(data_), size_);
}

}  // namespace loupe
