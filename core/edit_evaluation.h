#pragma once
// Live re-evaluation of circuit edits: what an edited model gets right and wrong compared with
// the model it was made from, over the same labelled photos.

#include "core/activations.h"
#include "core/progress.h"
#include "core/shape_bias.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

class Model;
class Workspace;
struct EditList;

struct ClassAccuracyChange {
    int klass = -1;
    std::string name;
    int images = 0;
    int top1Before = 0;
    int top1After = 0;
    int change() const { return top1After - top1Before; }
};

struct AccuracyComparison {
    int images = 0;
    int top1Before = 0;
    int top5Before = 0;
    int top1After = 0;
    int top5After = 0;
    // Every class with photos, the most changed first (by correct photos lost or gained, then
    // by share of the class's photos, then by class index).
    std::vector<ClassAccuracyChange> classes;

    double rate(int correct) const { return images ? double(correct) / images : 0.0; }
};

// Per photo: is its class the model's first answer, and among its first five.
struct PhotoHits {
    std::vector<std::uint8_t> top1;
    std::vector<std::uint8_t> top5;
};
PhotoHits classifyHits(
    Model& model, const std::vector<LabelledPhoto>& photos, Progress& progress, int batch = 16);
// The comparison of two models' hits on the same photos (class names from `names`).
AccuracyComparison compareHits(const PhotoHits& before, const PhotoHits& after,
    const std::vector<LabelledPhoto>& photos, const Model& names);

// Top-1/top-5 of both models over the photos (the same images, in batches). Throws
// loupe::Error when a model is not a classifier; loupe::Cancelled between batches.
AccuracyComparison compareAccuracy(Model& before, Model& after,
    const std::vector<LabelledPhoto>& photos, Progress& progress, int batch = 16);

// The control for a unit ablation: `draws` sets of as many random units of the same layer (not
// among the ablated ones), each ablated the same way (zero, or mean from `scan`'s workspace)
// and measured on the photos against the original's hits. Throws loupe::Error for edits that
// cut kernels or span several layers, or mean edits without a workspace.
struct RandomUnitControl {
    std::vector<std::vector<int>> channels;  // per draw
    std::vector<AccuracyComparison> accuracy;  // per draw
    double meanTop1Drop() const;
};
RandomUnitControl randomUnitControl(Model& original, const Workspace* scan, const EditList& edits,
    const std::vector<LabelledPhoto>& photos, const PhotoHits& before, int draws,
    std::uint64_t seed, Progress& progress);

// The control any reader asks for: `count` channels of a layer drawn uniformly without
// replacement from those not in `exclude`, sorted; deterministic for a seed. Throws
// loupe::Error when there are not enough channels.
std::vector<int> randomChannels(
    int channels, int count, const std::vector<int>& exclude, std::uint64_t seed);

}  // namespace loupe
