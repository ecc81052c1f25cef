#include "core/activation_grid.h"

#include <algorithm>
#include <cmath>

namespace loupe {

std::vector<RgbImage> channelTiles(
    const LayerActivations& activations, bool sharedScale, Colormap colormap)
{
    std::vector<RgbImage> tiles;
    if (activations.values.empty())
        return tiles;
    const auto [gmin, gmax] =
        std::minmax_element(activations.values.begin(), activations.values.end());
    for (int c = 0; c < activations.channels; ++c) {
        const FloatMap map = activations.channelMap(c);
        float lo = *gmin, hi = *gmax;
        if (!sharedScale) {
            const auto [cmin, cmax] = std::minmax_element(map.values.begin(), map.values.end());
            lo = *cmin;
            hi = *cmax;
        }
        if (activations.preRelu && colormap != Colormap::Grey)
            tiles.push_back(colorize(map, lo, hi, Colormap::Diverging));
        else
            tiles.push_back(colorize(map, std::min(lo, 0.f), hi, colormap));
    }
    return tiles;
}

RgbImage activationGridImage(const LayerActivations& activations, bool sharedScale, int tileSize)
{
    const auto tiles = channelTiles(activations, sharedScale);
    const int columns = std::max(1, int(std::ceil(std::sqrt(double(tiles.size())))));
    return tileGrid(tiles, columns, tileSize, 2);
}

}  // namespace loupe
