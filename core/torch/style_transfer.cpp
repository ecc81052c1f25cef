#include "core/style_transfer.h"

#include "core/error.h"
#include "core/input_geometry.h"
#include "core/model.h"
#include "core/torch/image_optimisation.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

#include <algorithm>
#include <memory>
#include <sstream>

namespace loupe {
namespace {

// Channel correlations over positions: B x C x C, divided by the number of positions.
torch::Tensor gram(const torch::Tensor& features)
{
    const auto flat = features.flatten(2);
    return torch::bmm(flat, flat.transpose(1, 2)) / double(flat.size(2));
}

const LayerInfo& spatialLayer(const Model& model, const std::string& name, const char* role)
{
    const LayerInfo& layer = model.layer(name);
    if (!layer.addressable)
        throw Error("layer '" + layer.path + "' cannot be captured: " + layer.note);
    if (!layer.isSpatial())
        throw Error(std::string(role) + " layer '" + layer.path +
            "' has no spatial output, so it has no Gram matrix or feature map to match: choose "
            "a convolutional layer");
    return layer;
}

bool isPoolingOrNorm(const std::string& type)
{
    return type.find("Pool") != std::string::npos || type.find("Norm") != std::string::npos ||
        type.find("LRN") != std::string::npos;
}

}  // namespace

std::string StyleConfig::cacheKey() const
{
    std::ostringstream key;
    key << "style|c=" << contentLayer << "|s=";
    for (size_t i = 0; i < styleLayers.size(); ++i)
        key << styleLayers[i] << '*' << (i < styleLayerWeights.size() ? styleLayerWeights[i] : 1.f)
            << ',';
    key << "|w=" << contentWeight << ',' << styleWeight << "|n=" << steps << "|lr=" << learningRate
        << "|size=" << size << "|fromContent=" << startFromContent << "|seed=" << seed;
    return key.str();
}

void chooseDefaultStyleLayers(const Model& model, StyleConfig& config)
{
    const int input = model.metadata().input.size;
    std::vector<std::string> candidates;
    for (const LayerInfo& l : model.layers())
        if (l.depth == 0 && l.addressable && l.isSpatial() && !isPoolingOrNorm(l.type) &&
            l.shape[1] * 16 >= input)
            candidates.push_back(l.path);
    if (candidates.empty())
        throw Error("this model has no top-level convolutional layers to take style from: name "
                    "the content and style layers");
    const size_t content = candidates.size() * 2 / 3;
    if (config.contentLayer.empty())
        config.contentLayer = candidates[content];
    if (config.styleLayers.empty()) {
        const size_t count = std::min<size_t>(5, content + 1);
        for (size_t i = 0; i < count; ++i)
            config.styleLayers.push_back(candidates[count == 1 ? 0 : i * content / (count - 1)]);
    }
}

StyleTransfer transferStyle(Model& model, const RgbImage& content, const RgbImage& style,
    const StyleConfig& requested, Progress& progress, const StylePreview& preview)
{
    if (content.empty() || style.empty())
        throw Error("style transfer needs a content photo and a style photo");
    StyleConfig config = requested;
    chooseDefaultStyleLayers(model, config);
    if (config.steps < 1 || !(config.learningRate > 0.f))
        throw Error("style transfer needs at least one step and a positive learning rate");
    if (!(config.contentWeight >= 0.f) || !(config.styleWeight >= 0.f) ||
        config.contentWeight + config.styleWeight <= 0.f)
        throw Error("the content and style weights must be at least 0, not both 0");
    if (!config.styleLayerWeights.empty() &&
        config.styleLayerWeights.size() != config.styleLayers.size())
        throw Error("give one weight per style layer (" +
            std::to_string(config.styleLayers.size()) + " layers, " +
            std::to_string(config.styleLayerWeights.size()) + " weights)");
    std::vector<float> layerWeights = config.styleLayerWeights;
    if (layerWeights.empty())
        layerWeights.assign(config.styleLayers.size(), 1.f);
    float weightSum = 0.f;
    for (float w : layerWeights) {
        if (!(w >= 0.f))
            throw Error("style layer weights must be at least 0");
        weightSum += w;
    }
    if (!(weightSum > 0.f))
        throw Error("at least one style layer needs a positive weight");

    StyleTransfer out;
    out.contentLayer = spatialLayer(model, config.contentLayer, "the content").path;
    std::vector<CaptureRequest> requests{{out.contentLayer, false}};
    for (const auto& name : config.styleLayers) {
        out.styleLayers.push_back(spatialLayer(model, name, "style").path);
        requests.push_back({out.styleLayers.back(), false});
    }

    auto& d = model.impl();
    const int size = config.size > 0 ? config.size : d.metadata.input.size;
    out.content = resizeAndCenterCrop(content, size);
    out.style = resizeAndCenterCrop(style, size);
    auto targets = std::make_shared<std::vector<torch::Tensor>>();  // content, then Grams
    std::vector<double> energies;
    {
        torch::NoGradGuard noGrad;
        const auto& plan = d.captures.plan(d.module, requests, false);
        const auto fromContent = runCapture(
            d.module, plan, rgbToModelInput(rgbTensor(out.content).to(d.device), d.metadata.input));
        const auto fromStyle = runCapture(
            d.module, plan, rgbToModelInput(rgbTensor(out.style).to(d.device), d.metadata.input));
        targets->push_back(fromContent.activations.at(0).detach());
        for (size_t i = 0; i < out.styleLayers.size(); ++i)
            targets->push_back(gram(fromStyle.activations.at(i + 1)).detach());
        for (size_t i = 0; i < targets->size(); ++i) {
            energies.push_back((*targets)[i].pow(2).sum().item<double>());
            if (!(energies.back() > 0))
                throw Error("the " + std::string(i == 0 ? "content" : "style") +
                    " photo gives all-zero features at '" + requests[i].layer +
                    "': there is nothing to match there (a blank photo?)");
        }
    }

    // Per step: the two losses, read while the objective is evaluated with gradients (the
    // before/after measurements run without).
    auto contentLoss = std::make_shared<std::vector<float>>();
    auto styleLoss = std::make_shared<std::vector<float>>();
    ImageObjective objective;
    objective.requests = requests;
    const float cw = config.contentWeight, sw = config.styleWeight;
    objective.evaluate = [=](const CaptureResult& captured) {
        const auto c =
            (captured.activations.at(0) - (*targets)[0]).pow(2).flatten(1).sum(1) / energies[0];
        auto s = torch::zeros_like(c);
        for (size_t i = 0; i < layerWeights.size(); ++i)
            s = s +
                layerWeights[i] / weightSum *
                    (gram(captured.activations.at(i + 1)) - (*targets)[i + 1])
                        .pow(2)
                        .flatten(1)
                        .sum(1) /
                    energies[i + 1];
        if (torch::GradMode::is_enabled()) {
            contentLoss->push_back(c.mean().item<float>());
            styleLoss->push_back(s.mean().item<float>());
        }
        return -(cw * c + sw * s);
    };
    if (config.startFromContent)
        objective.start = {out.content};

    FeatureVisConfig fv;
    fv.size = size;
    fv.steps = config.steps;
    fv.learningRate = config.learningRate;
    fv.parameterization = FeatureVisConfig::Parameterization::Pixel;
    fv.decorrelateColour = true;
    fv.transformationRobustness = false;
    fv.seed = config.seed;
    const FeatureVisResult result = optimiseImages(model, fv, 1, objective, progress,
        [&](const std::vector<RgbImage>& images, int step, float) {
            if (preview && !images.empty() && step <= int(contentLoss->size()))
                preview(images.front(), step, (*contentLoss)[size_t(step - 1)],
                    (*styleLoss)[size_t(step - 1)]);
        });
    if (result.images.empty())
        throw Error("style transfer stopped: " + result.warning);
    out.result = result.images.front();
    out.contentLoss = *contentLoss;
    out.styleLoss = *styleLoss;
    out.contentLoss.resize(size_t(result.stepsDone));
    out.styleLoss.resize(size_t(result.stepsDone));
    return out;
}

}  // namespace loupe
