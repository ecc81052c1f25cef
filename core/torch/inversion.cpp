#include "core/inversion.h"

#include "core/error.h"
#include "core/input_geometry.h"
#include "core/torch/image_optimisation.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

namespace loupe {

Inversion invertImage(Model& model, const RgbImage& photo, const InversionConfig& config,
    Progress& progress, const InversionPreview& preview)
{
    if (config.layers.empty())
        throw Error("choose at least one layer to invert");
    if (config.steps < 1)
        throw Error("inversion needs at least one step");
    if (!(config.totalVariation >= 0.f) || !(config.learningRate > 0.f))
        throw Error("the total-variation weight must be at least 0 and the learning rate positive");
    auto& d = model.impl();
    const InputSpec& spec = d.metadata.input;
    Inversion out;
    out.target = resizeAndCenterCrop(photo, spec.size);
    const auto input = imageToInput(photo, spec).to(d.device);
    for (size_t i = 0; i < config.layers.size(); ++i) {
        const LayerInfo& layer = model.layer(config.layers[i]);
        if (!layer.addressable)
            throw Error("layer '" + layer.path + "' cannot be captured: " + layer.note);
        const std::vector<CaptureRequest> requests{{layer.path, false}};
        torch::Tensor target;
        {
            torch::NoGradGuard noGrad;
            target = runCapture(d.module, d.captures.plan(d.module, requests, false), input)
                         .activations.at(0)
                         .detach();
        }
        const double energy = target.pow(2).sum().item<double>();
        if (!(energy > 0))
            throw Error("the code of '" + layer.path +
                "' is all zero on this image: there is nothing to invert");

        FeatureVisConfig fv;
        fv.size = spec.size;
        fv.steps = config.steps;
        fv.learningRate = config.learningRate;
        fv.totalVariation = config.totalVariation;
        fv.parameterization = config.parameterization;
        fv.seed = config.seed;
        // The code is compared position by position: no jitter, scaling or rotation.
        fv.transformationRobustness = false;
        ImageObjective objective;
        objective.requests = requests;
        objective.evaluate = [&target, energy](const CaptureResult& captured) {
            const auto& act = captured.activations.at(0);
            return -(act - target).pow(2).flatten(1).sum(1) / energy;
        };
        const double share = 1.0 / double(config.layers.size());
        Progress step(
            [&](double f, const std::string& text) {
                progress.report((double(i) + f) * share, layer.path + ": " + text);
            },
            progress);
        const int index = int(i);
        const FeatureVisResult result = optimiseImages(model, fv, 1, objective, step,
            [&](const std::vector<RgbImage>& images, int s, float value) {
                if (preview && !images.empty())
                    preview(index, images.front(), s, -value);
            });
        if (!result.warning.empty() && result.images.empty())
            throw Error(layer.path + ": " + result.warning);
        LayerInversion inverted;
        inverted.layer = layer.path;
        inverted.reconstruction = result.images.front();
        inverted.initialError = -result.initialObjective;
        inverted.finalError = -result.finalObjective;
        for (float v : result.objectiveHistory)
            inverted.errorHistory.push_back(-v);
        out.layers.push_back(std::move(inverted));
    }
    return out;
}

}  // namespace loupe
