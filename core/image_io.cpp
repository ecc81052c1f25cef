#include "core/image_io.h"

#include "core/error.h"
#include "core/cv_convert.h"
#include "core/atomic_file.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace loupe {

namespace {

// Reads the image size from the JPEG SOF, PNG IHDR or BMP info header, so that a 20000x20000
// file is refused before it is decoded into gigabytes.
ImageFileHeader readHeader(const std::string& bytes)
{
    ImageFileHeader h;
    const auto byte = [&](size_t i) {
        return i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : 0u;
    };
    if (bytes.size() >= 24 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) {
        h.kind = ImageFileHeader::Kind::Png;
        h.width = int((byte(16) << 24) | (byte(17) << 16) | (byte(18) << 8) | byte(19));
        h.height = int((byte(20) << 24) | (byte(21) << 16) | (byte(22) << 8) | byte(23));
        return h;
    }
    if (bytes.size() >= 26 && bytes.compare(0, 2, "BM") == 0) {
        h.kind = ImageFileHeader::Kind::Bmp;
        const auto le32 = [&](size_t i) {
            return std::int32_t(
                byte(i) | (byte(i + 1) << 8) | (byte(i + 2) << 16) | (byte(i + 3) << 24));
        };
        h.width = std::abs(le32(18));
        h.height = std::abs(le32(22));  // negative: stored top-down
        return h;
    }
    if (byte(0) != 0xFF || byte(1) != 0xD8)
        return h;
    h.kind = ImageFileHeader::Kind::Jpeg;
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
        const bool startOfFrame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
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

std::string tooLarge(long long width, long long height, long long maxPixels)
{
    return "too large (" + std::to_string(width) + "x" + std::to_string(height) +
        " pixels; at most " + std::to_string(maxPixels / 1'000'000) + " million are decoded)";
}

}  // namespace

ImageFileHeader checkImageFile(const std::string& path, long long maxPixels)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error("does not exist or is not a file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        throw Error("unreadable (" + ec.message() + ")");
    if (size == 0)
        throw Error("empty file (0 bytes)");
    if (!std::ifstream(path, std::ios::binary))
        throw Error("unreadable (permission denied?)");
    const ImageFileHeader header = readHeader(readHead(path, 256 * 1024));
    if (header.width > 0 && header.height > 0 &&
        (long long)header.width * header.height > maxPixels)
        throw Error(tooLarge(header.width, header.height, maxPixels));
    if (header.kind == ImageFileHeader::Kind::Jpeg && !endsLike(path, size, "\xFF\xD9"))
        throw Error("truncated JPEG (no end-of-image marker)");
    if (header.kind == ImageFileHeader::Kind::Png && !endsLike(path, size, "IEND"))
        throw Error("truncated PNG (no IEND chunk)");
    return header;
}

RgbImage decodeCheckedImage(const std::string& path, int flags, long long maxPixels)
{
    cv::Mat bgr;
    try {
        bgr = cv::imread(path, flags);
    } catch (const cv::Exception& e) {
        throw Error("cannot be decoded: " + firstLine(e.what()));
    }
    if (bgr.empty())
        throw Error("not a readable image (unknown format or corrupt)");
    if ((long long)bgr.cols * bgr.rows > maxPixels)  // formats whose header we do not read
        throw Error(tooLarge(bgr.cols, bgr.rows, maxPixels));
    return rgbImageFromBgr(bgr);
}

RgbImage loadImage(const std::string& path)
{
    try {
        checkImageFile(path);
        return decodeCheckedImage(path, cv::IMREAD_COLOR);
    } catch (const Error& e) {
        throw Error("image '" + path + "': " + e.what());
    }
}

void saveImage(const RgbImage& image, const std::string& path)
{
    if (image.empty())
        throw Error("nothing to save to '" + path + "': the image is empty");
    std::string extension = std::filesystem::path(path).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
        [](unsigned char c) { return char(std::tolower(c)); });
    // Encoded in memory, then written atomically: a full disk or a missing folder is reported
    // with its cause, and never leaves half a file.
    std::vector<uchar> bytes;
    bool ok = false;
    try {
        ok = cv::imencode(extension.empty() ? ".png" : extension, bgrFromRgbImage(image), bytes);
    } catch (const cv::Exception& e) {
        throw Error("cannot write '" + path + "': " + firstLine(e.what()));
    }
    if (!ok)
        throw Error("cannot write '" + path + "': unknown image format '" + extension +
            "' (use .png or .jpg)");
    writeFileAtomically(path, std::string(bytes.begin(), bytes.end()));
}

std::string encodePng(const RgbImage& image)
{
    std::vector<uchar> bytes;
    cv::imencode(".png", bgrFromRgbImage(image), bytes);
    return std::string(bytes.begin(), bytes.end());
}

RgbImage decodePng(const std::string& bytes)
{
    const cv::Mat data(1, int(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    const cv::Mat bgr = cv::imdecode(data, cv::IMREAD_COLOR);
    if (bgr.empty())
        throw Error("cached image is unreadable");
    return rgbImageFromBgr(bgr);
}

}  // namespace loupe
