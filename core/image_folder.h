#pragma once

#include "core/image.h"

#include <string>
#include <vector>

namespace loupe {

// Image files below a folder (recursive; JPEG, PNG, BMP, WebP, TIFF by extension), sorted,
// as paths relative to the folder. Throws loupe::Error if the folder cannot be read.
std::vector<std::string> listImages(const std::string& folder);

// The same, plus the entries named like images that are no image files (a FIFO, a folder,
// a dangling or looping symbolic link), each with the reason, so that a scan can list them.
struct ImageFolderListing {
    std::vector<std::string> images;
    std::vector<std::pair<std::string, std::string>> unusable;  // relative path, reason
};
ImageFolderListing listImageFolder(const std::string& folder);

// Decodes an image for a model whose input is `targetSize` pixels, cheaply: large JPEGs are
// decoded at 1/2, 1/4 or 1/8 scale by libjpeg when that still covers the target. Refuses, with
// the reason, empty files, non-images, truncated JPEG/PNG files and images above maxPixels.
RgbImage decodeImageForModel(
    const std::string& path, int targetSize, long long maxPixels = 100'000'000);

// At most `maximum` of the files, evenly spread over the (sorted) list so that every part of a
// folder is represented; all of them when maximum <= 0 or they are fewer.
std::vector<std::string> evenlySpread(const std::vector<std::string>& files, int maximum);

struct DecodedImage {
    int index = -1;  // into the file list
    RgbImage image;
    std::string error;  // why it could not be used, when it could not
};

// Decodes files[begin, end) below `folder` for a model of `inputSize` on `threads` threads
// (decodeImageForModel each); failures are reported per image, never thrown.
std::vector<DecodedImage> decodeImages(const std::string& folder,
    const std::vector<std::string>& files, size_t begin, size_t end, int inputSize, int threads);

}  // namespace loupe
