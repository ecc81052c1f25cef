#include "core/nmf.h"

#include "core/image.h"
#include "core/input_geometry.h"

#include <opencv2/core.hpp>

#include <algorithm>

namespace loupe {

// The image (model-input view) with every factor's map overlaid in its own colour, blended
// by strength: a segmentation-like picture of what the layer groups together.
std::array<unsigned char, 3> nmfFactorColour(int factor)
{
    static const std::array<unsigned char, 3> palette[] = {{230, 25, 75}, {60, 180, 75},
        {0, 130, 200}, {245, 130, 48}, {145, 30, 180}, {70, 240, 240}, {240, 50, 230},
        {210, 245, 60}, {250, 190, 190}, {0, 128, 128}};
    return palette[size_t(factor) % std::size(palette)];
}

std::vector<RgbImage> renderFactorDirections(
    Model& model, const LayerFactors& factors, const FeatureVisConfig& base, Progress& progress)
{
    FeatureVisConfig config = base;
    config.perImageLayer = factors.layer;
    config.perImageChannels.clear();
    config.perImageDirections.clear();
    for (int k = 0; k < factors.k; ++k)
        config.perImageDirections.emplace_back(
            factors.components.begin() + std::ptrdiff_t(k) * factors.channels,
            factors.components.begin() + std::ptrdiff_t(k + 1) * factors.channels);
    return renderFeatureVis(model, config, progress).images;
}

RgbImage nmfOverlay(
    const RgbImage& image, int inputSize, const LayerFactors& f, const std::vector<float>& maps)
{
    const RgbImage view = resizeAndCenterCrop(image, inputSize);
    const int hw = f.height * f.width;
    float peak = 1e-12f;
    for (float v : maps)
        peak = std::max(peak, v);
    RgbImage out = view;
    for (int py = 0; py < inputSize; ++py) {
        for (int px = 0; px < inputSize; ++px) {
            const int cx = std::min(f.width - 1, px * f.width / inputSize),
                      cy = std::min(f.height - 1, py * f.height / inputSize);
            int best = 0;
            float bestValue = -1;
            for (int k = 0; k < f.k; ++k) {
                const float v = maps[size_t(k) * hw + cy * f.width + cx];
                if (v > bestValue) {
                    bestValue = v;
                    best = k;
                }
            }
            const float alpha = 0.65f * std::min(1.f, bestValue / peak * 2);
            std::uint8_t* p = out.pixel(px, py);
            const auto c = nmfFactorColour(best);
            for (int ch = 0; ch < 3; ++ch)
                p[ch] = std::uint8_t(p[ch] * (1 - alpha) + c[ch] * alpha);
        }
    }
    return out;
}

}  // namespace loupe
