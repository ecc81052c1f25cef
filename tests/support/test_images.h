#pragma once
// Images the tests build: deterministic noise, the same for a seed everywhere.

#include "core/image.h"
#include "core/synthetic_shapes.h"

#include <cstdint>

namespace loupe::test {

inline RgbImage noiseImage(int width, int height, std::uint64_t seed)
{
    SeededRandom rng(seed);
    RgbImage image(width, height);
    for (auto& p : image.pixels)
        p = std::uint8_t(rng.uniform() * 255);
    return image;
}

}  // namespace loupe::test
