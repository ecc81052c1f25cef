#pragma once
// Synthetic scenes with known curve pixels, for measuring curve extraction (Curve Detectors,
// "curve extraction"): arcs and straight lines drawn by the stimulus renderer over a textured,
// noisy background, each stroke's pixels kept as ground truth.

#include "core/image.h"

#include <cstdint>
#include <vector>

namespace loupe {

struct CurveScene {
    RgbImage image;
    // One byte per pixel, row-major: 1 where that kind of stroke covers at least half the pixel.
    std::vector<std::uint8_t> curves;  // arcs (the positives of "curve pixels")
    std::vector<std::uint8_t> lines;  // straight lines (drawn edges that are not curves)
    std::vector<std::uint8_t> ticks;  // combed scenes: the short strokes across the arc
};

struct CurveSceneConfig {
    int size = 224;
    int curves = 3;
    int lines = 2;
    bool combed = false;  // one combed arc instead (ticks across it), no lines
    double fieldSize = 64;  // pixels per stimulus field size (the arcs' scale)
    double textureContrast = 40;  // grey levels of the smoothed-noise texture
    double noise = 8;  // per-pixel noise, grey levels (standard deviation)
};

// Deterministic for a seed: orientations, curvatures, positions and colours are drawn from it.
CurveScene renderCurveScene(const CurveSceneConfig& config, std::uint64_t seed);

}  // namespace loupe
