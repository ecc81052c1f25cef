#pragma once

#include "core/image.h"

#include <string>

namespace loupe {

// The most pixels Loupe decodes from one file, everywhere (opened image, scan, atlas, CLI): a
// 12000 x 12000 PNG would take gigabytes while the model sees a few hundred pixels of it.
constexpr long long kMaxImagePixels = 100'000'000;

// Decodes any image OpenCV reads (JPEG, PNG, BMP, WebP, TIFF; grey, colour or with alpha)
// into RGB. Throws loupe::Error saying why a file cannot be used. The same policy as the
// scan's decoder: empty, truncated (JPEG without end marker, PNG without IEND) and
// over-large files are refused, never filled with grey.
RgbImage loadImage(const std::string& path);

// What a file's header says, read without decoding it.
struct ImageFileHeader {
    enum class Kind { Unknown, Jpeg, Png, Bmp } kind = Kind::Unknown;
    int width = 0;
    int height = 0;
};

// The checks every decoder runs first; throws loupe::Error with the reason (no path):
// unreadable, empty, too large (from the header, before decoding), truncated JPEG/PNG.
ImageFileHeader checkImageFile(const std::string& path, long long maxPixels = kMaxImagePixels);

// cv::imread with `flags`, for a file checkImageFile passed; refuses what still fails to decode
// or turns out too large.
RgbImage decodeCheckedImage(
    const std::string& path, int flags, long long maxPixels = kMaxImagePixels);

// Writes PNG/JPEG by extension; throws loupe::Error when the path is not writable.
void saveImage(const RgbImage& image, const std::string& path);

// PNG bytes in memory (workspace blobs, atomic writes); decodePng throws loupe::Error.
std::string encodePng(const RgbImage& image);
RgbImage decodePng(const std::string& bytes);

}  // namespace loupe
