#include "core/attribution.h"
#include "core/colormap.h"

#include <algorithm>

namespace loupe {

RgbImage attributionHeatmapOnRange(const AttributionMap& map, float lo, float hi)
{
    const FloatMap values{map.width, map.height, map.values};
    // Signed maps: blue negative, red positive around zero; others: magma from zero.
    return map.isSigned ? colorize(values, lo, hi, Colormap::Diverging)
                        : colorize(values, 0, hi, Colormap::Magma);
}

RgbImage attributionHeatmap(const AttributionMap& map)
{
    float lo = 0, hi = 0;
    for (float v : map.values) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    return attributionHeatmapOnRange(map, lo, hi);
}

RgbImage attributionOverlayOnRange(const AttributionMap& map, float lo, float hi, float opacity)
{
    const RgbImage heat = attributionHeatmapOnRange(map, lo, hi);
    RgbImage out = map.inputView;
    for (size_t i = 0; i < out.pixels.size() && i < heat.pixels.size(); ++i)
        out.pixels[i] = std::uint8_t((1 - opacity) * out.pixels[i] + opacity * heat.pixels[i]);
    return out;
}

RgbImage attributionOverlay(const AttributionMap& map, float opacity)
{
    float lo = 0, hi = 0;
    for (float v : map.values) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    return attributionOverlayOnRange(map, lo, hi, opacity);
}

}  // namespace loupe
