#include "core/image_folder.h"

#include "core/cv_convert.h"
#include "core/error.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <thread>

namespace loupe {
namespace {

namespace fs = std::filesystem;

bool hasImageExtension(const fs::path& path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp" || ext == ".tif" || ext == ".tiff";
}

struct Header {
    enum class Kind { Unknown, Jpeg, Png } kind = Kind::Unknown;
    int width = 0;
    int height = 0;
};

// Reads the image size from the JPEG SOF or PNG IHDR header, so that a 20000x20000 file is
// refused before it is decoded into gigabytes.
Header readHeader(const std::string& bytes)
{
    Header h;
    const auto byte = [&](size_t i) { return i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : 0u; };
    if (bytes.size() >= 24 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) {
        h.kind = Header::Kind::Png;
        h.width = int((byte(16) << 24) | (byte(17) << 16) | (byte(18) << 8) | byte(19));
        h.height = int((byte(20) << 24) | (byte(21) << 16) | (byte(22) << 8) | byte(23));
        return h;
    }
    if (byte(0) != 0xFF || byte(1) != 0xD8)
        return h;
    h.kind = Header::Kind::Jpeg;
    size_t i = 2;
    while (i + 9 < bytes.size()) {
        if (byte(i) != 0xFF) {
            ++i;
            continue;
        }
        const unsigned marker = byte(i + 1);
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            i += 2;
            continue;
        }
        const size_t length = (byte(i + 2) << 8) | byte(i + 3);
        const bool startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (startOfFrame) {
            h.height = int((byte(i + 5) << 8) | byte(i + 6));
            h.width = int((byte(i + 7) << 8) | byte(i + 8));
            return h;
        }
        i += 2 + length;
    }
    return h;
}

std::string readHead(const std::string& path, size_t limit)
{
    std::ifstream in(path, std::ios::binary);
    std::string bytes(limit, '\0');
    in.read(bytes.data(), std::streamsize(limit));
    bytes.resize(size_t(in.gcount()));
    return bytes;
}

bool endsLike(const std::string& path, std::uintmax_t size, const std::string& marker)
{
    std::ifstream in(path, std::ios::binary);
    const std::uintmax_t tail = std::min<std::uintmax_t>(size, 4096);
    in.seekg(std::streamoff(size - tail));
    std::string bytes(size_t(tail), '\0');
    in.read(bytes.data(), std::streamsize(tail));
    return bytes.find(marker) != std::string::npos;
}

} // namespace

std::vector<std::string> listImages(const std::string& folder)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw Error("'" + folder + "' is not a folder");
    std::vector<std::string> images;
    fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
    if (ec)
        throw Error("cannot read folder '" + folder + "': " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec)
            break;
        if (it->is_regular_file(ec) && hasImageExtension(it->path()))
            images.push_back(it->path().lexically_relative(folder).generic_string());  // symlinks kept as named
    }
    std::sort(images.begin(), images.end());
    return images;
}

RgbImage decodeImageForModel(const std::string& path, int targetSize, long long maxPixels)
{
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec)
        throw Error("unreadable (" + ec.message() + ")");
    if (size == 0)
        throw Error("empty file (0 bytes)");
    if (!std::ifstream(path, std::ios::binary))
        throw Error("unreadable (permission denied?)");
    const Header header = readHeader(readHead(path, 256 * 1024));
    if (header.width > 0 && header.height > 0 && (long long)header.width * header.height > maxPixels)
        throw Error("too large (" + std::to_string(header.width) + "x" + std::to_string(header.height) + " pixels)");
    if (header.kind == Header::Kind::Jpeg && !endsLike(path, size, "\xFF\xD9"))
        throw Error("truncated JPEG (no end-of-image marker)");
    if (header.kind == Header::Kind::Png && !endsLike(path, size, "IEND"))
        throw Error("truncated PNG (no IEND chunk)");

    int flags = cv::IMREAD_COLOR;
    if (header.kind == Header::Kind::Jpeg && header.width > 0) {
        // libjpeg's DCT scaling: decoding at 1/8 of the pixels is several times faster.
        const int shorter = std::min(header.width, header.height);
        if (shorter >= 8 * targetSize)
            flags = cv::IMREAD_REDUCED_COLOR_8;
        else if (shorter >= 4 * targetSize)
            flags = cv::IMREAD_REDUCED_COLOR_4;
        else if (shorter >= 2 * targetSize)
            flags = cv::IMREAD_REDUCED_COLOR_2;
    }
    cv::Mat bgr;
    try {
        bgr = cv::imread(path, flags);
    } catch (const cv::Exception& e) {
        throw Error("cannot be decoded: " + firstLine(e.what()));
    }
    if (bgr.empty())
        throw Error("not a readable image (unknown format or corrupt)");
    return rgbImageFromBgr(bgr);
}

std::vector<std::string> evenlySpread(const std::vector<std::string>& files, int maximum)
{
    if (maximum <= 0 || int(files.size()) <= maximum)
        return files;
    std::vector<std::string> chosen;
    for (int i = 0; i < maximum; ++i)
        chosen.push_back(files[size_t(i) * files.size() / size_t(maximum)]);
    return chosen;
}

std::vector<DecodedImage> decodeImages(const std::string& folder, const std::vector<std::string>& files, size_t begin,
                                       size_t end, int inputSize, int threads)
{
    std::vector<DecodedImage> out(end - begin);
    std::atomic<size_t> next{begin};
    const auto work = [&] {
        for (size_t i = next++; i < end; i = next++) {
            DecodedImage& d = out[i - begin];
            d.index = int(i);
            try {
                d.image = decodeImageForModel((std::filesystem::path(folder) / files[i]).string(), inputSize);
            } catch (const std::exception& e) {
                d.error = e.what();
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    return out;
}

} // namespace loupe
