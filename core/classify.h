#pragma once
// The model's top-k classes for images, batched: what adversarial examples, the texture-vs-shape
// test and the degradation table compare.

#include "core/activations.h"
#include "core/image.h"
#include "core/progress.h"

#include <vector>

namespace loupe {

class Model;

// Top-k predictions per image (each resized and centre-cropped to the model's input), in
// batches of `batch`. Throws loupe::Error when the model is not a classifier or a forward fails;
// loupe::Cancelled between batches.
std::vector<std::vector<Prediction>> classifyImages(
    Model& model, const std::vector<RgbImage>& images, int k, Progress& progress, int batch = 16);

// The full softmax per image (numClasses values each), batched like classifyImages.
std::vector<std::vector<float>> classProbabilities(
    Model& model, const std::vector<RgbImage>& images, Progress& progress, int batch = 16);

// Softmax probability of one class for one image.
float classProbability(Model& model, const RgbImage& image, int klass);

}  // namespace loupe
