#pragma once
// The downstream test of a concept dictionary: does the model still decide the same when a
// layer's output is replaced by its reconstruction through the dictionary? (The SAE
// literature's "loss recovered".) The replacement runs only the part of the network after the
// layer (core/torch/capture.h: a patch plan).

#include "core/image.h"
#include "core/progress.h"
#include "core/sparse_dictionary.h"

#include <string>
#include <vector>

namespace loupe {

class Model;

struct ReplacementAgreement {
    int images = 0;  // images measured (unreadable ones are skipped)
    // Share of images whose top-1 class is unchanged with the reconstruction in place.
    float topOneAgreement = 0;
    // The same with every position replaced by the vectors' mean (the dictionary's centre):
    // the floor a dictionary has to beat.
    float meanAblationAgreement = 0;
    // (CE_mean - CE_reconstructed) / (CE_mean - CE_intact), cross-entropy of the intact model's
    // top-1 class: 1 when the reconstruction loses nothing, 0 when it is no better than the mean.
    float lossRecovered = 0;
};

// Over at most `maxImages` photos of `folder`, evenly spread. Throws loupe::Error (a layer the
// dictionary does not fit, a model that is not a classifier), loupe::Cancelled.
ReplacementAgreement measureReplacement(Model& model, const std::string& layer,
    const SparseDictionary& dictionary, const std::string& folder, int maxImages,
    Progress& progress);

// The same on images already decoded (tests, one photo).
ReplacementAgreement measureReplacement(Model& model, const std::string& layer,
    const SparseDictionary& dictionary, const std::vector<RgbImage>& images, Progress& progress);

// One image's logits with the layer replaced by its reconstruction (the identity dictionary
// gives the intact model's logits: tests).
std::vector<float> logitsWithReconstruction(Model& model, const std::string& layer,
    const SparseDictionary& dictionary, const RgbImage& image);

}  // namespace loupe
