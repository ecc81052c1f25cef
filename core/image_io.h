#pragma once

#include "core/image.h"

#include <string>

namespace loupe {

// Decodes any image OpenCV reads (JPEG, PNG, BMP, WebP, TIFF; grey, colour or with alpha)
// into RGB. Throws loupe::Error saying why a file cannot be used.
RgbImage loadImage(const std::string& path);

// Writes PNG/JPEG by extension; throws loupe::Error when the path is not writable.
void saveImage(const RgbImage& image, const std::string& path);

// PNG bytes in memory (workspace blobs, atomic writes); decodePng throws loupe::Error.
std::string encodePng(const RgbImage& image);
RgbImage decodePng(const std::string& bytes);

} // namespace loupe
