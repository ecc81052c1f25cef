#pragma once
// The texture-vs-shape test (Geirhos et al., ICLR 2019): cue-conflict images carry the shape of
// one photo and the texture of another (made here by style transfer: content = the shape photo,
// style = the texture photo). Over such images, a decision is a "shape" decision when the
// model's top-1 is the shape photo's class and a "texture" decision when it is the texture
// photo's class; shape bias = shape / (shape + texture), other decisions left out, as the paper
// defines it. A forced choice between the two classes (which has the higher probability) is
// reported too: it counts every image.

#include "core/image.h"
#include "core/progress.h"
#include "core/style_transfer.h"

#include <functional>
#include <string>
#include <vector>

namespace loupe {

class Model;

struct LabelledPhoto {
    std::string name;  // e.g. the file's stem
    RgbImage image;
    int klass = -1;
};

class ImageLabeler;

struct LabelledPhotos {
    std::vector<LabelledPhoto> photos;
    std::vector<std::pair<std::string, std::string>> skipped;  // file, why
};

// At most `maximum` labelled photos of a folder (0: all), evenly spread over it, decoded for a
// model of `inputSize`; unlabelled and undecodable files are listed in `skipped`. Throws
// loupe::Error when the folder cannot be read.
LabelledPhotos loadLabelledPhotos(
    const std::string& folder, const ImageLabeler& labeler, int inputSize, int maximum);

struct CueConflict {
    std::string name;  // "<shape photo>-<texture photo>", as Geirhos' stimuli are named
    RgbImage image;
    int shapeClass = -1;
    int textureClass = -1;
};

enum class CueDecision { Shape, Texture, Neither };
const char* cueDecisionName(CueDecision decision);

struct CueConflictResult {
    std::string name;
    int shapeClass = -1;
    int textureClass = -1;
    int predicted = -1;  // top-1
    float predictedProbability = 0.f;
    float shapeProbability = 0.f;
    float textureProbability = 0.f;
    CueDecision decision = CueDecision::Neither;
};

struct ShapeBias {
    std::vector<CueConflictResult> rows;
    int shape = 0;
    int texture = 0;
    int neither = 0;
    int forcedShape = 0;  // shape probability above texture probability
    double bias() const;  // shape / (shape + texture); NaN when there is neither
    double forcedChoiceBias() const;  // forcedShape / rows; NaN without rows
};

// Throws loupe::Error for a model without a classifier or a class out of range;
// loupe::Cancelled.
ShapeBias measureShapeBias(
    Model& model, const std::vector<CueConflict>& images, Progress& progress);

// Pairs of photos of different classes, deterministic: photo i's shape with the texture of the
// first photo from i + n/2 on (cyclically) whose class differs; at most `maxPairs`.
std::vector<std::pair<int, int>> cueConflictPairs(
    const std::vector<LabelledPhoto>& photos, int maxPairs);

using CueConflictPreview = std::function<void(int pair, const RgbImage& image, int step)>;

class Workspace;

// Renders each pair by style transfer (config's layers, weights and steps), each kept in the
// workspace when there is one (a repeated run reads them back). Throws like transferStyle;
// loupe::Cancelled.
std::vector<CueConflict> makeCueConflicts(Model& model, Workspace* workspace,
    const std::vector<LabelledPhoto>& photos, const std::vector<std::pair<int, int>>& pairs,
    const StyleConfig& config, Progress& progress, const CueConflictPreview& preview = {});

}  // namespace loupe
