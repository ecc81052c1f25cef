#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace loupe {

// 8-bit RGB image, rows packed (stride = 3 * width). The plain type images cross the
// core/GUI boundary in; widgets wrap it in a QImage (with a copy).
struct RgbImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;

    RgbImage() = default;
    RgbImage(int w, int h) : width(w), height(h), pixels(static_cast<std::size_t>(w) * h * 3, 0) {}
    bool empty() const { return width <= 0 || height <= 0; }
    std::uint8_t* pixel(int x, int y)
    {
        return pixels.data() + (static_cast<std::size_t>(y) * width + x) * 3;
    }
    const std::uint8_t* pixel(int x, int y) const
    {
        return pixels.data() + (static_cast<std::size_t>(y) * width + x) * 3;
    }
};

// A single-channel float map (an activation map, a heatmap, a kernel).
struct FloatMap {
    int width = 0;
    int height = 0;
    std::vector<float> values;

    float at(int x, int y) const { return values[static_cast<std::size_t>(y) * width + x]; }
};

}  // namespace loupe
