#include "core/colormap.h"

#include "core/cv_convert.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace loupe {

RgbImage colorize(const FloatMap& map, float lo, float hi, Colormap colormap)
{
    RgbImage out(map.width, map.height);
    if (map.values.empty())
        return out;
    if (colormap == Colormap::Diverging) {
        const float extent = std::max({std::fabs(lo), std::fabs(hi), 1e-12f});
        for (size_t i = 0; i < map.values.size(); ++i) {
            const float t = std::clamp(map.values[i] / extent, -1.f, 1.f);
            const auto fade = [&](float v) {
                return std::uint8_t(std::lround(255.f * (1.f - std::fabs(t)) + v * std::fabs(t)));
            };
            std::uint8_t* p = &out.pixels[i * 3];
            if (t >= 0) {
                p[0] = fade(202);
                p[1] = fade(0);
                p[2] = fade(32);
            } else {
                p[0] = fade(5);
                p[1] = fade(48);
                p[2] = fade(97);
            }
        }
        return out;
    }
    const float range = hi > lo ? hi - lo : 1.f;
    cv::Mat grey(map.height, map.width, CV_8UC1);
    for (int y = 0; y < map.height; ++y)
        for (int x = 0; x < map.width; ++x)
            grey.at<std::uint8_t>(y, x) = std::uint8_t(
                std::lround(255.f * std::clamp((map.at(x, y) - lo) / range, 0.f, 1.f)));
    if (colormap == Colormap::Grey) {
        cv::Mat bgr;
        cv::cvtColor(grey, bgr, cv::COLOR_GRAY2BGR);
        return rgbImageFromBgr(bgr);
    }
    cv::Mat bgr;
    cv::applyColorMap(
        grey, bgr, colormap == Colormap::Magma ? cv::COLORMAP_MAGMA : cv::COLORMAP_VIRIDIS);
    return rgbImageFromBgr(bgr);
}

RgbImage upscaleNearest(const RgbImage& image, int width, int height)
{
    cv::Mat resized;
    cv::resize(rgbMatView(image), resized, cv::Size(width, height), 0, 0, cv::INTER_NEAREST);
    RgbImage out(width, height);
    std::copy(resized.data, resized.data + out.pixels.size(), out.pixels.begin());
    return out;
}

RgbImage tileGrid(
    const std::vector<RgbImage>& tiles, int columns, int tileSize, int gap, std::uint8_t background)
{
    columns = std::max(1, columns);
    const int rows = (int(tiles.size()) + columns - 1) / columns;
    RgbImage out(
        columns * tileSize + (columns + 1) * gap, std::max(1, rows) * tileSize + (rows + 1) * gap);
    std::fill(out.pixels.begin(), out.pixels.end(), background);
    for (size_t i = 0; i < tiles.size(); ++i) {
        if (tiles[i].empty())
            continue;
        const RgbImage tile = (tiles[i].width == tileSize && tiles[i].height == tileSize)
            ? tiles[i]
            : upscaleNearest(tiles[i], tileSize, tileSize);
        const int x0 = gap + int(i % size_t(columns)) * (tileSize + gap);
        const int y0 = gap + int(i / size_t(columns)) * (tileSize + gap);
        for (int y = 0; y < tileSize; ++y)
            std::copy(tile.pixel(0, y), tile.pixel(0, y) + 3 * tileSize, out.pixel(x0, y0 + y));
    }
    return out;
}

}  // namespace loupe
