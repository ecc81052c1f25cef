#pragma once
// Small TorchScript models built in C++ (torch::jit::Module + define()), saved to disk like
// a user's model. No torch types here, so tests that only need files stay cheap to compile.

#include <string>

namespace loupe::test {

// conv1 (ConvReLU: .conv, .relu) -> block (inception-like: b1 1x1 -> 3 ch, b2 3x3 -> 5 ch,
// concatenated to 8) -> pool -> head (global mean + linear) -> 3 logits.
// Input 3x32x32. With metadata, loupe.json names it, sets labels and an alias "mixed" for
// "block". Returns the file path.
std::string writeBranchyCnn(const std::string& directory, bool withMetadata = true, int seed = 1);
// The same network with the given loupe.json text (saved as `name`.pt).
std::string writeBranchyCnnWithMetadata(
    const std::string& directory, const std::string& name, const std::string& json);

// A scripted module whose forward is not an image model (matrix product on a 10-vector).
std::string writeNonImageModule(const std::string& directory);

// Convolutions only: the output is a feature map, so the model has no classifier.
std::string writeFeatureExtractor(const std::string& directory);

// A model whose conv1 weights are hand-set: channel 0 detects a bright vertical bar
// (and channel 1 its inverse), the rest small random. Input 3x32x32, RGB in [0,1].
std::string writeBarDetector(const std::string& directory, bool identityHead = false);

// An "artificial curve neuron": conv1 (ConvReLU, 15x15 kernels, padding 7) on a 3x48x48 input
// in [0,1]. Channel 0 is a matched filter for a dark arc on white whose apex normal points
// `orientationDegrees` counter-clockwise from "right" (radius 7.5 px, arc length 12 px, the
// Stimulus conventions at a 15-pixel field), channel 1 the same filter turned by +90 degrees.
// Written with its own geometry, independent of the stimulus renderer.
std::string writeCurveDetector(const std::string& directory, double orientationDegrees);

// A dark-stroke detector on a 3x64x64 input in [0, 1]: conv1 (ConvReLU, 7x7, padding 3) whose
// two channels are centre-surround filters (a dark centre of 1 and 1.6 px against a brighter
// surround, less a threshold of 0.3) that answer thin dark strokes of any shape and not the
// texture around them, then a mean head with two logits.
std::string writeStrokeDetector(const std::string& directory);

// logits = (-s, s) with s = sum(relu(conv(x))): class 0 only ever sends negative gradients
// into the ReLU, class 1 positive ones. For checking modified ReLU backward rules.
std::string writeSignedReluModel(const std::string& directory);

// conv1 (ConvReLU) -> conv2 (ConvReLU) on a 3x16x16 input in [0, 1] (mean 0, std 1), whose
// forward first refuses any non-zero input ("only black images") as a model's own runtime
// check would: a capture must not skip it.
std::string writeCheckedInputModel(const std::string& directory);

// A planted circuit on a 3x16x16 input in [0, 1]: conv1 (ConvReLU, 1x1, 3 -> 4) whose four
// channels are all active on any image (positive weights and bias), then conv2 (ConvReLU, 1x1,
// 4 -> 4) wired one to one: conv2 channel j reads conv1 channel (j + 1) % 4 with weight 1 and
// nothing else; a linear head on the mean of conv2 gives 2 logits.
std::string writeWiredChain(const std::string& directory);

// A linear classifier on a 3x8x8 input: logit k = sum_i w_k[i] * x[i] with
// w_k[i] = sin(0.37 i + k) (and zero bias), so tests can compute gradients by hand.
std::string writeLinearModel(const std::string& directory);
float linearModelWeight(int klass, int index);

// A classifier that reads one region only: on a 3x32x32 input in [0, 1], logit 0 is
// 10 * (mean grey of the 8x8 square at (8, 8) - 0.5), logit 1 is 0. Nothing outside the square
// matters, so a map that ranks the square first is the faithful one.
std::string writeRegionReader(const std::string& directory);
constexpr int kRegionReaderX = 8, kRegionReaderY = 8, kRegionReaderSize = 8;

// Two 32 px toy worlds for the texture-vs-shape test; both have classes 0 and 1. The texture
// model global-average-pools a 1x1 conv: logit 0 is the mean redness (R - G), logit 1 the
// mean greenness. The silhouette model sees only where the image is dark (a 1x1 conv
// relu(0.75 - grey)) and answers 1 ("square") when the corners of a centred 24 px square are
// dark, 0 ("circle") otherwise.
std::string writeTextureOnlyModel(const std::string& directory);
std::string writeSilhouetteOnlyModel(const std::string& directory);

// Network dissection's and decision explanation's test model, 3x224x224 RGB in [0, 1]. Layer
// "features" (spatial, 224 x 224) has two channels: 0 = relu(R - G - B - 0.2), a red detector;
// 1 = stripe energy (the strongest of four orientations of a Gabor pair, period 12 px, then a
// 25 px mean). Head: logits = W * mean(features) + b with W = [[2, 0.5], [-1, 1.5]],
// b = [0.5, -0.25]: a linear path from the layer to the logits.
std::string writeColourAndStripeDetector(const std::string& directory);
constexpr float kDetectorHeadBias[2] = {0.5f, -0.25f};

}  // namespace loupe::test
