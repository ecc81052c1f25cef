#pragma once
// Numbers read off an attribution map alone (no model): how concentrated it is, whether it
// sums to what it explains, how much of it lies on the object, and how alike two maps are.
// Shared by the faithfulness metrics, the sanity checks, the Attribution dock and the CLI.

#include "core/attribution.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace loupe {

// Sparseness (Chalasani et al. 2020): the Gini index of |map|, 0 when every pixel carries the
// same share, near 1 when one pixel carries it all.
float giniIndex(const std::vector<float>& values);

// Complexity (Bhatt et al. 2020): the entropy of the shares |a_i| / sum |a|, divided by
// log(pixels) so 0 is one pixel and 1 is uniform (an all-zero map counts as uniform).
float normalisedEntropy(const std::vector<float>& values);

// Completeness (Sundararajan et al.): for integrated gradients, how far the map's sum is from
// f(x) - f(baseline); for FullGrad, its input + bias terms from f(x). Relative to the explained
// difference. No value for methods that do not promise completeness.
std::optional<float> relativeCompletenessGap(const AttributionMap& map, AttributionMethod method);

// Localisation against an object's pixels (mask: width x height, non-zero inside).
struct Localisation {
    float energyInside = 0;  // share of the map's positive mass inside the object
    bool pointingHit = false;  // the map's maximum lies within `tolerance` pixels of the object
};
// Throws loupe::Error when the mask does not match the map's size or is empty.
Localisation localise(
    const AttributionMap& map, const std::vector<std::uint8_t>& mask, int tolerance = 15);
// A box [x0, x1) x [y0, y1) in map pixels as a mask, clipped to the map.
std::vector<std::uint8_t> boxMask(int width, int height, int x0, int y0, int x1, int y1);

// How alike two maps of the same size are (Adebayo et al. 2018), on their absolute values:
// Spearman rank correlation, SSIM of |map| scaled to [0, 1], and the share of the top
// `topFraction` pixels they have in common. Two constant maps are identical (1, 1, 1); a
// constant map against a varying one has no rank correlation (0).
struct MapSimilarity {
    float spearman = 0;
    float ssim = 0;
    float topOverlap = 0;
};
MapSimilarity compareMaps(
    const AttributionMap& a, const AttributionMap& b, float topFraction = 0.05f);

// Pearson correlation of two equally long series; 0 when either is constant.
float pearson(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace loupe
