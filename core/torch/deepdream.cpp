#include "core/deepdream.h"

#include "core/error.h"
#include "core/input_geometry.h"
#include "core/torch/image_optimisation.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

#include <cmath>
#include <sstream>

namespace loupe {
namespace {

torch::Tensor resized(const torch::Tensor& image, int size)
{
    return at::upsample_bilinear2d(image, {size, size}, false);
}

}  // namespace

std::string DreamConfig::cacheKey() const
{
    std::ostringstream key;
    key << "dream|" << objective << "|s=" << size << "|o=" << octaves << "x" << octaveScale
        << "|n=" << stepsPerOctave << "|lr=" << stepSize << "|j=" << jitterPixels
        << "|seed=" << seed;
    return key.str();
}

Dream dreamImage(Model& model, const RgbImage& photo, const DreamConfig& config, Progress& progress,
    const DreamPreview& preview)
{
    if (photo.empty())
        throw Error("the photo is empty");
    if (config.octaves < 1 || config.octaves > 12)
        throw Error("DeepDream needs 1 to 12 octaves");
    if (!(config.octaveScale > 1.f) || config.octaveScale > 4.f)
        throw Error("the octave scale must be above 1 and at most 4");
    if (config.stepsPerOctave < 1 || !(config.stepSize > 0.f) || !(config.jitterPixels >= 0.f))
        throw Error("DeepDream needs at least one step, a positive step size and jitter >= 0");
    const int size = config.size > 0 ? config.size : model.metadata().input.size;
    std::vector<int> sizes;
    for (int o = config.octaves - 1; o >= 0; --o)
        sizes.push_back(int(std::lround(size / std::pow(double(config.octaveScale), o))));
    if (sizes.front() < 16)
        throw Error("the smallest octave would be " + std::to_string(sizes.front()) +
            " px: use fewer octaves, a smaller scale or a larger size");

    FeatureVisConfig fv;
    fv.objective = ObjectiveTerm::parse(config.objective);
    fv.parameterization = FeatureVisConfig::Parameterization::Pixel;
    fv.decorrelateColour = false;
    fv.steps = config.stepsPerOctave;
    fv.learningRate = config.stepSize;
    fv.transformationRobustness = config.jitterPixels > 0.f;
    fv.jitterPixels = config.jitterPixels;
    fv.scaleRange = 0.f;
    fv.rotateDegrees = 0.f;
    fv.previewEvery = std::max(1, config.stepsPerOctave / 2);
    ImageObjective objective = featureVisObjective(model, fv);
    objective.normalisedGradient = true;

    Dream out;
    out.photo = resizeAndCenterCrop(photo, size);
    out.octaveSizes = sizes;
    const auto base = rgbTensor(out.photo);
    torch::Tensor dream;  // the previous octave's result, 1x3xSxS in [0, 1]
    for (size_t o = 0; o < sizes.size(); ++o) {
        const int s = sizes[o];
        const auto photoHere = resized(base, s);
        // The previous dream upscaled, plus the photo's detail that downscaling had lost.
        const auto start = dream.defined()
            ? (resized(dream, s) + photoHere - resized(resized(base, sizes[o - 1]), s)).clamp(0, 1)
            : photoHere;
        objective.start = rgbImages(start);
        fv.size = s;
        fv.seed = config.seed + o * 7919ULL;
        const double share = 1.0 / double(sizes.size());
        Progress step(
            [&](double f, const std::string& text) {
                progress.report((double(o) + f) * share,
                    "octave " + std::to_string(o + 1) + "/" + std::to_string(sizes.size()) + ": " +
                        text);
            },
            progress);
        const int offset = int(out.objectiveHistory.size());
        const FeatureVisResult result = optimiseImages(model, fv, 1, objective, step,
            [&](const std::vector<RgbImage>& images, int i, float value) {
                if (preview && !images.empty())
                    preview(images.front(), offset + i, value);
            });
        if (result.images.empty())
            throw Error("DeepDream stopped: " + result.warning);
        if (o == 0)
            out.initialObjective = result.initialObjective;
        out.objectiveHistory.insert(out.objectiveHistory.end(), result.objectiveHistory.begin(),
            result.objectiveHistory.end());
        dream = rgbTensor(result.images.front());
        out.finalObjective = result.finalObjective;
    }
    out.dream = rgbImages(dream).front();
    // Both ends measured the same way (at the model's input), so "amplified" compares like
    // with like.
    out.initialObjective = objectiveValue(model, fv.objective, out.photo);
    out.finalObjective = objectiveValue(model, fv.objective, out.dream);
    return out;
}

}  // namespace loupe
