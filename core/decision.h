#pragma once
// Which channels of a layer made a decision: each channel's contribution to a class logit (or to
// the difference of two logits, "why tabby and not tiger cat") as activation x gradient summed
// over positions, with its spatial map and share. Where the path from the layer to the logit is
// linear (a global pool and a linear classifier after the last block), activation x gradient is
// exactly activation x weight and the contributions add up to the logit minus the bias path;
// the explanation measures whether that holds instead of assuming it.

#include "core/image.h"
#include "core/progress.h"

#include <string>
#include <vector>

namespace loupe {

class Model;

struct ChannelContribution {
    int channel = 0;
    double contribution = 0;  // activation x gradient, summed over positions
    double share = 0;  // of the sum of absolute contributions
    double activation = 0;  // mean over positions
};

struct DecisionExplanation {
    std::string layer;
    int classA = 0;
    int classB = -1;  // -1: explain class A's logit alone
    std::string labelA, labelB;
    double logit = 0;  // logit A (minus logit B)
    double biasPath = 0;  // the same with the layer's output set to zero
    double explained = 0;  // sum of the contributions
    // |logit - biasPath - explained| small: the path is linear and the contributions are exact.
    bool linearPath = false;
    std::vector<ChannelContribution> channels;  // every channel, largest contribution first
    int mapWidth = 0, mapHeight = 0;
    std::vector<float> maps;  // per channel (in channel order): activation x gradient per position
    RgbImage inputView;

    FloatMap mapOf(int channel) const;
};

// Throws loupe::Error (no classifier, class out of range, a layer that cannot be captured or
// does not lead to the logits).
DecisionExplanation explainDecision(
    Model& model, const RgbImage& image, const std::string& layer, int classA, int classB = -1);

}  // namespace loupe
