#pragma once

#include "core/image.h"

#include <vector>

namespace loupe {

// SLIC superpixels (Achanta et al. 2012): k-means in (CIELAB, x, y) with each centre searching
// only a 2S x 2S window, then connectivity enforced by merging fragments into a neighbour.
// Hand-written (about a hundred lines): OpenCV has SLIC only in the contrib module, whose
// Debian package pulls Qt 5, VTK, Tesseract and HDF5 into a Qt 6 application.
struct Superpixels {
    int width = 0;
    int height = 0;
    int count = 0;
    std::vector<int> labels;  // row-major, 0 .. count - 1, every label used and connected
};

// About `wanted` superpixels; `compactness` trades colour fit for regular shapes (SLIC's m).
// Deterministic. Throws loupe::Error for an empty image or wanted < 1.
Superpixels slicSuperpixels(const RgbImage& image, int wanted, double compactness = 10.0);

}  // namespace loupe
