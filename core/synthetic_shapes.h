#pragma once

#include "core/image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

// The procedural dataset of the built-in model: shapes whose recognition needs orientation
// and curvature, drawn anti-aliased with OpenCV in random colours, widths, positions, scales
// and rotations on noisy random backgrounds, so that a network must learn invariant edge,
// orientation and curve detectors rather than pixel templates. Deterministic for a seed.
enum class ShapeClass {
    Circle,  // closed ring
    Arc,  // open circular arc (a curve), any orientation
    Line,  // straight segment
    Angle,  // two segments meeting at a corner
    Spiral,  // Archimedean spiral
    Cross,  // two crossing segments
    Rings,  // concentric circles
    Star,  // five-pointed star outline
    Dots,  // a texture of scattered dots
    Triangle,  // closed triangle outline
};
constexpr int kShapeClassCount = 10;

std::vector<std::string> shapeClassNames();  // index = class id

// Renders one sample of `shape` at size x size; everything random comes from `seed`.
RgbImage renderShapeSample(ShapeClass shape, std::uint64_t seed, int size);

// A small deterministic generator for the random draws (std::mt19937_64 underneath; its
// output is fully specified, unlike std's distributions).
class SeededRandom {
public:
    explicit SeededRandom(std::uint64_t seed);
    double uniform();  // [0, 1)
    double uniform(double lo, double hi);
    int integer(int lo, int hiInclusive);
    double normal();  // standard normal, Box-Muller

private:
    std::uint64_t state_[4];
    std::uint64_t next();
};

}  // namespace loupe
