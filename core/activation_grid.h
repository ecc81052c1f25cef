#pragma once

#include "core/activations.h"
#include "core/colormap.h"

#include <vector>

namespace loupe {

// One colour-mapped tile per channel. With a shared scale every tile uses the layer's global
// range (channels are comparable); otherwise each tile is stretched to its own range.
std::vector<RgbImage> channelTiles(
    const LayerActivations& activations, bool sharedScale, Colormap colormap = Colormap::Viridis);

// All channel tiles in one image (roughly square grid), e.g. for `loupe-cli activations --out`.
RgbImage activationGridImage(
    const LayerActivations& activations, bool sharedScale, int tileSize = 48);

}  // namespace loupe
