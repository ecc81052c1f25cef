#pragma once

#include "core/image.h"

#include <vector>

namespace loupe {

enum class Colormap { Viridis, Magma, Diverging, Grey };

// Maps values in [lo, hi] to colours (values outside are clamped). Diverging is symmetric
// blue-white-red around zero and ignores lo (uses max(|lo|, |hi|)).
RgbImage colorize(const FloatMap& map, float lo, float hi, Colormap colormap = Colormap::Viridis);

// Nearest-neighbour upscaling, for showing small feature maps as crisp cells.
RgbImage upscaleNearest(const RgbImage& image, int width, int height);

// Tiles images into a grid with a gap (all tiles are drawn at tileSize x tileSize).
RgbImage tileGrid(const std::vector<RgbImage>& tiles, int columns, int tileSize, int gap,
    std::uint8_t background = 40);

}  // namespace loupe
