#pragma once
// DeepDream (Mordvintsev, Olah, Tyka 2015): the photo is the start, and gradient ascent on an
// objective of the objective language (a layer, a channel, a direction...) amplifies whatever
// the network already sees in it. Multi-scale: octaves from small to full size, each starting
// from the previous octave's dream upscaled plus the photo's detail lost by downscaling;
// random jitter every step; steps of the gradient divided by its mean magnitude.

#include "core/featurevis.h"
#include "core/image.h"
#include "core/progress.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace loupe {

class Model;

struct DreamConfig {
    std::string objective;  // objective language, e.g. "layer:inception_4c" or "inception_4c:97"
    int size = 0;  // side of the dream (the photo is centre-cropped square); 0: model input
    int octaves = 4;
    float octaveScale = 1.4f;  // size ratio between neighbouring octaves
    int stepsPerOctave = 10;
    float stepSize = 0.02f;  // per step, in logit units of the image, gradient normalised
    float jitterPixels = 16.f;
    std::uint64_t seed = 0;

    std::string cacheKey() const;
};

struct Dream {
    RgbImage photo;  // the square crop that was dreamt on, at the dream's size
    RgbImage dream;
    std::vector<float> objectiveHistory;  // per step, all octaves in order
    std::vector<int> octaveSizes;  // smallest first
    float initialObjective = 0.f;  // the objective on the photo (at the model's input size)
    float finalObjective = 0.f;  // on the dream, the same way
};

using DreamPreview = std::function<void(const RgbImage& image, int step, float objective)>;

// Throws loupe::Error for a bad objective or settings (an octave below 16 px), loupe::Cancelled.
Dream dreamImage(Model& model, const RgbImage& photo, const DreamConfig& config, Progress& progress,
    const DreamPreview& preview = {});

}  // namespace loupe
