// Feature visualization: optimise an input image for an objective, the Lucid recipe
// (Olah, Mordvintsev, Schubert 2017, "Feature Visualization"):
//  - Fourier parameterization: the image is the inverse real FFT of a learned spectrum whose
//    frequencies are scaled by 1/f, so that gradient steps favour low frequencies, the way
//    natural images are distributed; optionally plain pixels for comparison;
//  - decorrelated colour: the three learned channels are mapped through the square root of
//    ImageNet's colour covariance, then a sigmoid gives valid RGB in [0, 1];
//  - transformation robustness: every step the batch is jittered, scaled and rotated (one
//    affine resampling per image, grey padding), so only features that survive small
//    transformations are reinforced instead of high-frequency adversarial patterns;
//  - Adam (torch::optim) on the parameters, restarted at each upscaling stage.
// Each image of a batch has its own seed (init and transforms), so a batched render equals
// the same renders done one by one; the objective of image i depends on image i only (the
// optional diversity term aside).

#include "core/featurevis.h"

#include "core/error.h"
#include "core/synthetic_shapes.h"
#include "core/torch/image_optimisation.h"
#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

#include <torch/optim/adam.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <sstream>

namespace loupe {
namespace {

constexpr double kPi = 3.14159265358979323846;

// sqrt of the colour correlation (Lucid's color_correlation_svd_sqrt), columns normalised by
// the largest column norm.
torch::Tensor colourMatrix()
{
    const float m[3][3] = {{0.26f, 0.09f, 0.02f}, {0.27f, 0.00f, -0.05f}, {0.27f, -0.09f, 0.03f}};
    auto t = torch::from_blob(const_cast<float*>(&m[0][0]), {3, 3}, torch::kFloat32).clone();
    const float maxNorm = t.norm(2, {0}).max().item<float>();
    return t / maxNorm;
}

// 1/f scaling of the rfft2 frequency grid for an h x w image.
torch::Tensor spectrumScale(int h, int w)
{
    const int wf = w / 2 + 1;
    auto scale = torch::empty({h, wf});
    auto acc = scale.accessor<float, 2>();
    for (int y = 0; y < h; ++y) {
        const double fy = (y <= (h - 1) / 2 ? y : y - h) / double(h);
        for (int x = 0; x < wf; ++x) {
            const double fx = x / double(w);
            const double f = std::max(std::sqrt(fx * fx + fy * fy), 1.0 / std::max(w, h));
            acc[y][x] = float(1.0 / f);
        }
    }
    return scale;
}

// A layer rendered in batches gives every channel the seed a single render would use, so
// batched and one-by-one renders agree; a diversity batch gives each image its own seed.
std::uint64_t imageSeed(const FeatureVisConfig& config, int index)
{
    const bool perImage = !config.perImageChannels.empty() || !config.perImageDirections.empty();
    return perImage ? config.seed : config.seed + std::uint64_t(index) * 7919ULL;
}

class ImageParameterization {
public:
    ImageParameterization(const FeatureVisConfig& config, int batch, torch::Device device, int size,
        const std::vector<RgbImage>& start)
        : fourier_(config.parameterization == FeatureVisConfig::Parameterization::Fourier),
          decorrelate_(config.decorrelateColour), size_(size)
    {
        const int h = size_, w = size_;
        if (fourier_)
            scale_ = spectrumScale(h, w).to(device).view({1, 1, h, w / 2 + 1});
        if (decorrelate_)
            colour_ = colourMatrix().to(device);
        if (!start.empty()) {
            startFrom(start, device);
            return;
        }
        const std::vector<int64_t> shape = fourier_
            ? std::vector<int64_t>{batch, 3, h, w / 2 + 1, 2}
            : std::vector<int64_t>{batch, 3, h, w};
        auto init = torch::empty(shape);
        const int64_t perImage = init.numel() / batch;
        float* data = init.data_ptr<float>();
        for (int b = 0; b < batch; ++b) {
            // Seeded per image with our own generator: the same image on any device and batch.
            SeededRandom rng(imageSeed(config, b) + 17);
            for (int64_t i = 0; i < perImage; ++i)
                data[b * perImage + i] = float(0.01 * rng.normal());
        }
        param_ = init.to(device).requires_grad_();
    }

    // The parameter whose images() are `start` (each resized to the size): images() inverted
    // through the sigmoid, the colour matrix and the scaled spectrum.
    void startFrom(const std::vector<RgbImage>& start, torch::Device device)
    {
        std::vector<torch::Tensor> rgb;
        for (const RgbImage& image : start) {
            rgb.push_back(at::upsample_bilinear2d(rgbTensor(image), {size_, size_}, false));
        }
        auto t = torch::logit(torch::cat(rgb).clamp(1e-3, 1 - 1e-3)).to(device);
        if (decorrelate_)
            t = torch::einsum("ij,bjhw->bihw", {torch::inverse(colour_), t});
        if (fourier_)
            t = torch::view_as_real(
                at::fft_rfft2(t * 4.0, c10::nullopt, {-2, -1}, "ortho") / scale_);
        param_ = t.contiguous().detach().requires_grad_();
    }

    torch::Tensor& parameter() { return param_; }
    int64_t size() const { return size_; }

    // Progressive upscaling (pixel parameterization only): the current images are upscaled
    // to `size`, blurred a little, and become the new starting point.
    void upscale(int64_t size)
    {
        torch::NoGradGuard noGrad;
        auto img = at::upsample_bilinear2d(images(), {size, size}, false);
        img = binomialBlur(img);
        auto t = torch::logit(img.clamp(1e-3, 1 - 1e-3));
        if (decorrelate_)
            t = torch::einsum("ij,bjhw->bihw", {torch::inverse(colour_), t});
        size_ = size;
        param_ = t.contiguous().detach().requires_grad_();
    }

    // Batch of RGB images in [0, 1], differentiable w.r.t. the parameter.
    torch::Tensor images() const
    {
        torch::Tensor t;
        if (fourier_) {
            const auto spectrum = torch::view_as_complex(param_) * scale_;
            t = at::fft_irfft2(spectrum, c10::IntArrayRef{size_, size_}, {-2, -1}, "ortho") / 4.0;
        } else {
            t = param_;
        }
        if (decorrelate_)
            t = torch::einsum("ij,bjhw->bihw", {colour_, t});
        return torch::sigmoid(t);
    }

private:
    bool fourier_;
    bool decorrelate_;
    int64_t size_;
    torch::Tensor param_;
    torch::Tensor scale_;
    torch::Tensor colour_;
};

// Random jitter, scale and rotation for each image, as one affine resampling with grey
// padding (Lucid's standard_transforms, folded together).
torch::Tensor transform(
    const torch::Tensor& images, std::vector<SeededRandom>& rngs, const FeatureVisConfig& config)
{
    const int64_t batch = images.size(0);
    const float size = float(images.size(2));
    auto theta = torch::empty({batch, 2, 3});
    auto acc = theta.accessor<float, 3>();
    for (int64_t b = 0; b < batch; ++b) {
        auto& rng = rngs[size_t(b)];
        const double tx = rng.uniform(-config.jitterPixels, config.jitterPixels) * 2.0 / size;
        const double ty = rng.uniform(-config.jitterPixels, config.jitterPixels) * 2.0 / size;
        const double s = rng.uniform(1.0 - config.scaleRange, 1.0 + config.scaleRange);
        const double a = rng.uniform(-config.rotateDegrees, config.rotateDegrees) * kPi / 180.0;
        acc[b][0][0] = float(std::cos(a) / s);
        acc[b][0][1] = float(-std::sin(a) / s);
        acc[b][0][2] = float(tx);
        acc[b][1][0] = float(std::sin(a) / s);
        acc[b][1][1] = float(std::cos(a) / s);
        acc[b][1][2] = float(ty);
    }
    const auto grid = at::affine_grid_generator(theta.to(images.device()), images.sizes(), false);
    return at::grid_sampler(images - 0.5, grid, 0, 0, false) + 0.5;
}

bool needsLayer(ObjectiveTerm::Kind kind)
{
    return kind != ObjectiveTerm::Kind::Logit && kind != ObjectiveTerm::Kind::Probability;
}

// Checks every term against the model and resolves aliases; collects the layers to capture.
struct ObjectivePlan {
    std::vector<ObjectiveTerm> terms;
    std::vector<std::string> layers;  // capture order
    bool needsOutput = false;
    int layerIndex(const std::string& path) const
    {
        return int(std::find(layers.begin(), layers.end(), path) - layers.begin());
    }
};

ObjectivePlan planObjective(Model& model, const FeatureVisConfig& config)
{
    ObjectivePlan plan;
    std::vector<ObjectiveTerm> terms = config.objective;
    if (!config.perImageChannels.empty()) {
        ObjectiveTerm t;
        t.kind = ObjectiveTerm::Kind::Channel;
        t.layer = config.perImageLayer;
        t.channel = config.perImageChannels.front();
        terms = {t};
    } else if (!config.perImageDirections.empty()) {
        ObjectiveTerm t;
        t.kind = ObjectiveTerm::Kind::Direction;
        t.layer = config.perImageLayer;
        t.direction = config.perImageDirections.front();
        terms = {t};
        for (const auto& d : config.perImageDirections)
            if (d.size() != t.direction.size())
                throw Error("per-image directions must all have the same length");
    }
    if (terms.empty())
        throw Error("the objective is empty");
    for (auto term : terms) {
        if (needsLayer(term.kind)) {
            const LayerInfo& layer = model.layer(term.layer);
            if (!layer.addressable)
                throw Error("layer '" + layer.path + "' cannot be captured: " + layer.note);
            term.layer = layer.path;
            const auto channels = layer.channels();
            if ((term.kind == ObjectiveTerm::Kind::Channel ||
                    term.kind == ObjectiveTerm::Kind::Neuron) &&
                (term.channel < 0 || term.channel >= channels))
                throw Error("channel " + std::to_string(term.channel) + " is out of range: '" +
                    layer.path + "' has " + std::to_string(channels) + " channels");
            if (term.kind == ObjectiveTerm::Kind::Neuron && !layer.isSpatial())
                throw Error("a neuron objective needs a spatial layer; '" + layer.path +
                    "' has no spatial extent (use a channel objective)");
            if (term.kind == ObjectiveTerm::Kind::Direction &&
                std::int64_t(term.direction.size()) != channels)
                throw Error("the direction has " + std::to_string(term.direction.size()) +
                    " values but '" + layer.path + "' has " + std::to_string(channels) +
                    " channels");
            if (std::find(plan.layers.begin(), plan.layers.end(), term.layer) == plan.layers.end())
                plan.layers.push_back(term.layer);
        } else {
            if (model.numClasses() == 0)
                throw Error("this model has no classifier output, so it has no logits to optimise");
            if (term.channel < 0 || term.channel >= model.numClasses())
                throw Error("class " + std::to_string(term.channel) +
                    " is out of range (the model has " + std::to_string(model.numClasses()) +
                    " classes)");
            plan.needsOutput = true;
        }
        plan.terms.push_back(term);
    }
    plan.needsOutput = plan.needsOutput || config.runWholeNetwork;
    for (int c : config.perImageChannels)
        if (c < 0 || c >= model.layer(config.perImageLayer).channels())
            throw Error("channel " + std::to_string(c) + " is out of range for '" +
                config.perImageLayer + "'");
    return plan;
}

// Per-image objective values (B).
torch::Tensor evaluateObjective(
    const ObjectivePlan& plan, const FeatureVisConfig& config, const CaptureResult& captured)
{
    torch::Tensor total;
    if (!config.perImageChannels.empty()) {
        const auto& act = captured.activations.at(0);
        std::vector<int64_t> channels(
            config.perImageChannels.begin(), config.perImageChannels.end());
        const auto index = torch::tensor(
            channels, torch::TensorOptions().dtype(torch::kLong).device(act.device()));
        const auto selected =
            act.index_select(1, index).diagonal(0, 0, 1);  // (..., B) -> per image its channel
        return act.dim() == 4 ? selected.mean(c10::IntArrayRef{0, 1}) : selected;
    }
    if (!config.perImageDirections.empty()) {
        const auto& act = captured.activations.at(0);
        std::vector<float> flat;
        for (const auto& d : config.perImageDirections)
            flat.insert(flat.end(), d.begin(), d.end());
        auto directions = torch::tensor(flat, act.options())
                              .view({int64_t(config.perImageDirections.size()), -1});
        directions = directions / directions.norm(2, {1}, true).clamp_min(1e-8);
        return act.dim() == 4
            ? (act * directions.unsqueeze(2).unsqueeze(3)).sum(1).mean(c10::IntArrayRef{1, 2})
            : (act * directions).sum(1);
    }
    for (const auto& term : plan.terms) {
        torch::Tensor value;
        if (needsLayer(term.kind)) {
            const auto& act = captured.activations.at(size_t(plan.layerIndex(term.layer)));
            const bool spatial = act.dim() == 4;
            switch (term.kind) {
            case ObjectiveTerm::Kind::Channel:
                value = spatial ? act.select(1, term.channel).mean(c10::IntArrayRef{1, 2})
                                : act.select(1, term.channel);
                break;
            case ObjectiveTerm::Kind::Neuron: {
                const int64_t y =
                    term.y >= 0 ? std::min<int64_t>(term.y, act.size(2) - 1) : act.size(2) / 2;
                const int64_t x =
                    term.x >= 0 ? std::min<int64_t>(term.x, act.size(3) - 1) : act.size(3) / 2;
                value = act.select(1, term.channel).select(1, y).select(1, x);
                break;
            }
            case ObjectiveTerm::Kind::Layer: value = act.pow(2).flatten(1).mean(1); break;
            case ObjectiveTerm::Kind::Direction: {
                auto d = torch::tensor(term.direction, act.options());
                d = d / d.norm().clamp_min(1e-8);
                value = spatial ? (act * d.view({1, -1, 1, 1})).sum(1).mean(c10::IntArrayRef{1, 2})
                                : (act * d.view({1, -1})).sum(1);
                break;
            }
            default: break;
            }
        } else {
            const auto& out = captured.modelOutput;
            value = term.kind == ObjectiveTerm::Kind::Logit
                ? out.select(1, term.channel)
                : torch::softmax(out, 1).select(1, term.channel);
        }
        value = value * term.weight;
        total = total.defined() ? total + value : value;
    }
    return total;
}

torch::Tensor diversityPenalty(const torch::Tensor& act)
{
    const int64_t b = act.size(0);
    const auto flat = act.flatten(2);  // B x C x HW
    auto grams = torch::bmm(flat, flat.transpose(1, 2)).flatten(1);  // B x C*C
    grams = grams / grams.norm(2, {1}, true).clamp_min(1e-10);
    const auto similarity = torch::mm(grams, grams.t());  // B x B
    return (similarity.sum() - similarity.diagonal().sum()) / double(b);
}

}  // namespace

std::string FeatureVisConfig::cacheKey() const
{
    std::ostringstream key;
    for (const auto& t : objective)
        key << t.toString() << ';';
    key << "|per=" << perImageLayer << ':';
    for (int c : perImageChannels)
        key << c << ',';
    key << "dirs=" << perImageDirections.size();
    key << "|p="
        << (parameterization == Parameterization::Fourier            ? "fft"
                   : parameterization == Parameterization::Upscaling ? "upscale"
                                                                     : "pixel")
        << "|dc=" << decorrelateColour << "|s=" << size << "|n=" << steps << "|lr=" << learningRate
        << "|seed=" << seed << "|b=" << batch << "|div=" << diversity
        << "|tr=" << transformationRobustness << ',' << jitterPixels << ',' << scaleRange << ','
        << rotateDegrees << "|pen=" << l1 << ',' << l2 << ',' << totalVariation
        << "|neg=" << negative << "|pre=" << preRelu;
    return key.str();
}

FeatureVisResult optimiseImages(Model& model, const FeatureVisConfig& config, int batch,
    const ImageObjective& objective, Progress& progress, const FeatureVisPreview& preview)
{
    if (config.size < 16 || config.size > 2048)
        throw Error("image size must be between 16 and 2048 pixels");
    if (config.steps < 0)
        throw Error("steps must not be negative");
    auto& d = model.impl();
    const CapturePlan* capture = nullptr;
    try {
        capture = &d.captures.plan(d.module, objective.requests, objective.withModelOutput);
    } catch (const std::exception& e) {
        throw Error(firstLine(e.what()));
    }

    FeatureVisResult result;
    try {
        // Progressive upscaling: optimise at 1/4, then 1/2, then full size.
        const bool upscaling =
            config.parameterization == FeatureVisConfig::Parameterization::Upscaling;
        const std::vector<int> stageSizes = upscaling
            ? std::vector<int>{std::max(16, config.size / 4), std::max(16, config.size / 2),
                  config.size}
            : std::vector<int>{config.size};
        if (!objective.start.empty() && int(objective.start.size()) != batch)
            throw Error("one start image per image of the batch is needed");
        ImageParameterization image(config, batch, d.device, stageSizes.front(), objective.start);
        std::vector<SeededRandom> rngs;
        for (int b = 0; b < batch; ++b)
            rngs.emplace_back(imageSeed(config, b) + 1000003ULL);
        const float sign = config.negative ? -1.f : 1.f;

        const auto measure = [&]() {
            torch::NoGradGuard noGrad;
            const auto captured =
                runCapture(d.module, *capture, rgbToModelInput(image.images(), d.metadata.input));
            return objective.evaluate(captured).mean().item<float>();
        };
        result.initialObjective = measure();

        // A fresh Adam for each stage: the parameter is a new tensor after upscaling.
        const auto makeOptimiser = [&] {
            return std::make_unique<torch::optim::Adam>(
                std::vector<torch::Tensor>{image.parameter()},
                torch::optim::AdamOptions(config.learningRate).betas({0.9, 0.999}).eps(1e-8));
        };
        auto optimiser = makeOptimiser();
        std::vector<RgbImage> lastGood = rgbImages(image.images());

        size_t stage = 0;
        for (int step = 1; step <= config.steps; ++step) {
            progress.checkCancelled();
            if (stage + 1 < stageSizes.size() &&
                step > int((stage + 1) * size_t(config.steps) / stageSizes.size())) {
                image.upscale(stageSizes[++stage]);
                optimiser = makeOptimiser();
            }
            auto images = image.images();
            auto input = config.transformationRobustness ? transform(images, rngs, config) : images;
            const auto captured =
                runCapture(d.module, *capture, rgbToModelInput(input, d.metadata.input));
            const auto values = objective.evaluate(captured);
            auto loss = -sign * values.sum();
            if (objective.penalty)
                loss = loss + objective.penalty(captured);
            const auto centred = images - 0.5;
            if (config.l1 > 0)
                loss = loss + config.l1 * centred.abs().mean() * batch;
            if (config.l2 > 0)
                loss = loss + config.l2 * centred.pow(2).mean().sqrt() * batch;
            if (config.totalVariation > 0)
                loss = loss +
                    config.totalVariation * batch *
                        ((images.slice(2, 1) - images.slice(2, 0, -1)).abs().mean() +
                            (images.slice(3, 1) - images.slice(3, 0, -1)).abs().mean());

            const float value = values.mean().item<float>();
            if (!std::isfinite(value) || !std::isfinite(loss.item<float>())) {
                result.warning = "the objective became NaN or infinite at step " +
                    std::to_string(step) + "; stopped and kept the last good image";
                break;
            }
            optimiser->zero_grad();
            loss.backward();
            if (objective.normalisedGradient) {
                torch::NoGradGuard noGrad;
                auto& p = image.parameter();
                const auto g = p.grad();
                const auto scale = g.abs().flatten(1).mean(1).clamp_min(1e-12).view({-1, 1, 1, 1});
                p.sub_(config.learningRate * (p.dim() == 5 ? g / scale.unsqueeze(4) : g / scale));
            } else {
                optimiser->step();
            }
            result.objectiveHistory.push_back(value);
            result.stepsDone = step;
            if (config.previewEvery > 0 &&
                (step % config.previewEvery == 0 || step == config.steps)) {
                lastGood = rgbImages(image.images());
                if (preview)
                    preview(lastGood, step, value);
            }
            if (step % 4 == 0 || step == config.steps) {
                std::ostringstream text;
                text << "step " << step << "/" << config.steps << "  objective " << value;
                progress.report(double(step) / std::max(1, config.steps), text.str());
            }
            if (objective.stopWhen && objective.stopWhen(value))
                break;
        }
        const bool silent = !result.objectiveHistory.empty() &&
            std::all_of(result.objectiveHistory.begin(), result.objectiveHistory.end(),
                [](float v) { return v == 0.f; });
        if (silent && result.warning.empty())
            result.warning = "the unit stayed at zero: its ReLU passes no gradient (a dead or "
                             "rarely active unit); "
                             "try the pre-ReLU objective";
        if (upscaling && image.size() != config.size)
            image.upscale(config.size);  // fewer steps than stages: still deliver full size
        if (result.warning.empty() || silent) {
            lastGood = rgbImages(image.images());
            result.finalObjective = measure();
        } else {
            result.finalObjective = result.objectiveHistory.empty()
                ? result.initialObjective
                : result.objectiveHistory.back();
        }
        result.images = std::move(lastGood);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        // Keeps "out of memory" in the text: a layer render retries smaller on it.
        if (isOutOfMemory(e))
            throw Error("feature visualization ran out of memory with " + std::to_string(batch) +
                " image(s) of " + std::to_string(config.size) +
                " px: render fewer or smaller images (" + firstLine(e.what()) + ")");
        const std::string what = firstLine(e.what());
        if (what.find("Output size is too small") != std::string::npos)
            throw Error("a " + std::to_string(config.size) +
                " px image is too small for this model (its layers shrink it below "
                "one pixel): render at a larger size (" +
                what + ")");
        throw Error("feature visualization failed: " + what);
    }
    return result;
}

ImageObjective featureVisObjective(Model& model, const FeatureVisConfig& config)
{
    auto plan = std::make_shared<const ObjectivePlan>(planObjective(model, config));
    const int batch = !config.perImageChannels.empty() ? int(config.perImageChannels.size())
        : !config.perImageDirections.empty()           ? int(config.perImageDirections.size())
                                                       : std::max(1, config.batch);
    ImageObjective objective;
    for (const auto& layer : plan->layers)
        objective.requests.push_back({layer, config.preRelu});
    objective.withModelOutput = plan->needsOutput;
    objective.evaluate = [plan, config](const CaptureResult& captured) {
        return evaluateObjective(*plan, config, captured);
    };
    if (config.diversity > 0 && batch > 1 && !plan->layers.empty()) {
        const float diversity = config.diversity;
        objective.penalty = [diversity](const CaptureResult& captured) {
            const auto& act = captured.activations[0];
            return act.dim() == 4 ? diversity * diversityPenalty(act)
                                  : torch::zeros({}, act.options());
        };
    }
    return objective;
}

FeatureVisResult renderFeatureVis(Model& model, const FeatureVisConfig& config, Progress& progress,
    const FeatureVisPreview& preview)
{
    const int batch = !config.perImageChannels.empty() ? int(config.perImageChannels.size())
        : !config.perImageDirections.empty()           ? int(config.perImageDirections.size())
                                                       : std::max(1, config.batch);
    return optimiseImages(
        model, config, batch, featureVisObjective(model, config), progress, preview);
}

float objectiveValue(
    Model& model, const std::vector<ObjectiveTerm>& objective, const RgbImage& image)
{
    FeatureVisConfig config;
    config.objective = objective;
    const ObjectivePlan plan = planObjective(model, config);
    auto& d = model.impl();
    std::vector<CaptureRequest> requests;
    for (const auto& layer : plan.layers)
        requests.push_back({layer, false});
    torch::NoGradGuard noGrad;
    const auto& capture = d.captures.plan(d.module, requests, plan.needsOutput);
    const auto captured =
        runCapture(d.module, capture, imageToInput(image, d.metadata.input).to(d.device));
    return evaluateObjective(plan, config, captured).mean().item<float>();
}

}  // namespace loupe
