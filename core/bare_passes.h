#pragma once
// Baselines for benchmarks: the same passes written directly against LibTorch (the model's
// forward on a preprocessed input, backward to the input), with none of Loupe's machinery, so
// that `loupe-cli bench` can print Loupe's time as a ratio of what the hardware needs.

#include "core/image.h"

#include <string>
#include <vector>

namespace loupe {

class Model;

// Seconds for torch::jit::load of the file (no checks, no forward): a model open's floor.
double bareLoadSeconds(const std::string& path);

// Seconds for torch::jit::load of the file and one forward of a blank 1x3xSxS input on the
// model's device: what a first open would cost if it learnt every layer's shape from a real
// forward (Loupe's pass runs on the meta device unless the model needs its data).
double bareLoadAndForwardSeconds(Model& model);

// Seconds for `passes` forward+backward passes (gradient of one logit w.r.t. the input) on
// the image, after three warm-up passes.
double bareForwardBackwardSeconds(Model& model, const RgbImage& image, int passes);

// Seconds for `passes` forward+backward passes of a size x size input through the graph cut
// after `layer` (the truncated graph feature visualization runs), gradient of the layer's mean;
// after `warmUpPasses` untimed ones.
double bareTruncatedForwardBackwardSeconds(
    Model& model, const std::string& layer, int size, int passes, int warmUpPasses = 3);

// Seconds for `count` forward+backward passes of copies of the image in batches of `batch`
// (what integrated gradients and SmoothGrad do), after one warm-up batch.
double bareBatchedForwardBackwardSeconds(Model& model, const RgbImage& image, int count, int batch);

// Seconds for forward passes over the images in batches of `batch` (preprocessing done before
// the clock starts), after one warm-up batch.
double bareForwardSeconds(Model& model, const std::vector<RgbImage>& images, int batch);

}  // namespace loupe
