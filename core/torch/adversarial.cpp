#include "core/adversarial.h"

#include "core/classify.h"
#include "core/error.h"
#include "core/featurevis.h"
#include "core/input_geometry.h"
#include "core/torch/image_optimisation.h"
#include "core/torch/model_impl.h"
#include "core/torch/random.h"
#include "core/torch/tensor_image.h"

#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <sstream>

namespace loupe {
namespace {

// The photo in pixel units (0-255), what the model is attacked through.
class PixelClassifier {
public:
    explicit PixelClassifier(Model& model) : model_(model), d_(model.impl()) {}

    torch::Tensor logits(const torch::Tensor& pixels) const
    {
        return firstTensor(d_.module.forward({rgbToModelInput(pixels / 255.0, d_.metadata.input)}));
    }

    std::vector<Prediction> top5(const torch::Tensor& pixels) const
    {
        c10::InferenceMode inference;
        const auto probs = torch::softmax(logits(pixels).to(torch::kCPU, torch::kFloat32), 1)[0];
        const auto top = probs.topk(std::min<int64_t>(5, probs.size(0)));
        std::vector<Prediction> out;
        for (int64_t i = 0; i < std::get<0>(top).size(0); ++i) {
            Prediction p;
            p.index = int(std::get<1>(top)[i].item<int64_t>());
            p.probability = std::get<0>(top)[i].item<float>();
            p.label = model_.classLabel(p.index);
            out.push_back(p);
        }
        return out;
    }

    // The attack's loss and its gradient w.r.t. the pixels: cross-entropy of the clean class
    // (to be raised) or of the target (to be lowered, so its sign is flipped here: every
    // attack step goes up this gradient).
    std::pair<float, torch::Tensor> ascent(const torch::Tensor& pixels, int klass, bool targeted)
    {
        auto x = pixels.detach().requires_grad_();
        auto loss = -torch::log_softmax(logits(x), 1).select(1, klass).sum();
        if (targeted)
            loss = -loss;
        const auto grad = torch::autograd::grad({loss}, {x}).at(0);
        return {loss.item<float>(), grad};
    }

private:
    Model& model_;
    Model::Impl& d_;
};

void checkAttack(Model& model, const AttackConfig& config)
{
    if (model.numClasses() == 0)
        throw Error("this model has no classifier output: there is no prediction to attack");
    if (!(config.epsilon > 0.f) || config.epsilon > 255.f)
        throw Error("epsilon must be above 0 and at most 255 pixel units (it is " +
            std::to_string(config.epsilon) + ")");
    if (config.targetClass >= model.numClasses() || config.targetClass < -1)
        throw Error("target class " + std::to_string(config.targetClass) +
            " is out of range (the model has " + std::to_string(model.numClasses()) +
            " classes; -1 means untargeted)");
    if (config.method == AttackConfig::Method::Pgd &&
        (config.steps < 1 || !(config.stepSize > 0.f)))
        throw Error("PGD needs at least one step and a positive step size");
}

}  // namespace

const char* attackMethodName(AttackConfig::Method method)
{
    return method == AttackConfig::Method::Fgsm ? "fgsm" : "pgd";
}

AttackConfig::Method attackMethodFromName(const std::string& name)
{
    if (name == "fgsm")
        return AttackConfig::Method::Fgsm;
    if (name == "pgd")
        return AttackConfig::Method::Pgd;
    throw Error("unknown attack '" + name + "' (fgsm or pgd)");
}

std::string AttackConfig::cacheKey() const
{
    std::ostringstream key;
    key << "attack|" << attackMethodName(method) << "|eps=" << epsilon << "|a=" << stepSize
        << "|n=" << steps << "|rs=" << randomStart << "|t=" << targetClass << "|seed=" << seed;
    return key.str();
}

Attack attackImage(
    Model& model, const RgbImage& photo, const AttackConfig& config, Progress& progress)
{
    checkAttack(model, config);
    if (photo.empty())
        throw Error("the photo is empty");
    auto& d = model.impl();
    PixelClassifier classifier(model);
    Attack out;
    out.original = resizeAndCenterCrop(photo, d.metadata.input.size);
    try {
        const auto clean = (rgbTensor(out.original) * 255.f).round().to(d.device);
        out.before = classifier.top5(clean);
        out.sourceClass = out.before.front().index;
        out.targetClass = config.targetClass;
        const bool targeted = config.targetClass >= 0;
        const int klass = targeted ? config.targetClass : out.sourceClass;
        // Whole pixel values stay whole: the saved 8-bit image is the one evaluated.
        const float radius = std::floor(config.epsilon);
        const auto project = [&](const torch::Tensor& x) {
            return torch::min(torch::max(x, clean - radius), clean + radius).clamp(0, 255);
        };
        torch::Tensor x;
        if (config.method == AttackConfig::Method::Fgsm) {
            const auto [loss, grad] = classifier.ascent(clean, klass, targeted);
            out.lossHistory.push_back(loss);
            x = (clean + config.epsilon * grad.sign()).clamp(0, 255);
        } else {
            x = clean;
            if (config.randomStart) {
                auto generator = seededGenerator(config.seed);
                x = project(clean +
                    (uniform(clean.sizes(), generator, clean.options()) * 2 - 1)
                        .mul(config.epsilon)
                        .round());
            }
            for (int step = 1; step <= config.steps; ++step) {
                progress.checkCancelled();
                const auto [loss, grad] = classifier.ascent(x, klass, targeted);
                out.lossHistory.push_back(loss);
                x = project(x + config.stepSize * grad.sign());
                progress.report(double(step) / config.steps,
                    "PGD step " + std::to_string(step) + "/" + std::to_string(config.steps));
            }
        }
        x = project(x.round());
        out.adversarial = rgbImages(x / 255.f).front();
        const auto adversarial = (rgbTensor(out.adversarial) * 255.f).round().to(d.device);
        out.after = classifier.top5(adversarial);
        const auto delta = (adversarial - clean).to(torch::kCPU);
        out.linfPixels = delta.abs().max().item<float>();
        out.perturbation = rgbImages((delta / (2.f * config.epsilon) + 0.5f).clamp(0, 1)).front();
        out.succeeded = targeted ? out.after.front().index == config.targetClass
                                 : out.after.front().index != out.sourceClass;
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(std::string("the ") + attackMethodName(config.method) +
            " attack failed: " + firstLine(e.what()));
    }
    return out;
}

EpsilonSearch smallestFlippingEpsilon(Model& model, const RgbImage& photo,
    const AttackConfig& config, float maxEpsilon, Progress& progress)
{
    if (!(maxEpsilon >= 1.f) || maxEpsilon > 255.f)
        throw Error("the largest epsilon to try must be between 1 and 255 pixel units");
    EpsilonSearch out;
    int probe = 0;
    const auto attempt = [&](float epsilon) {
        AttackConfig c = config;
        c.epsilon = epsilon;
        Progress step(
            [&](double f, const std::string& text) {
                progress.report(std::min(0.99, (probe + f) / 9.0),
                    "epsilon " + std::to_string(int(epsilon)) + ": " + text);
            },
            progress);
        Attack attack = attackImage(model, photo, c, step);
        ++probe;
        out.tried.emplace_back(epsilon, attack.succeeded);
        return attack;
    };
    int high = int(std::floor(maxEpsilon));
    Attack best = attempt(float(high));
    if (!best.succeeded) {
        out.attack = std::move(best);
        return out;
    }
    int low = 0;  // a budget of 0 never succeeds
    while (high - low > 1) {
        const int mid = (low + high) / 2;
        Attack attack = attempt(float(mid));
        if (attack.succeeded) {
            high = mid;
            best = std::move(attack);
        } else {
            low = mid;
        }
    }
    out.epsilon = float(high);
    out.attack = std::move(best);
    progress.report(1.0);
    return out;
}

FoolingImage makeFoolingImage(Model& model, int targetClass, float confidence, int maxSteps,
    std::uint64_t seed, Progress& progress)
{
    if (!(confidence > 0.f) || !(confidence < 1.f))
        throw Error("the confidence to reach must be between 0 and 1");
    if (maxSteps < 1)
        throw Error("a fooling image needs at least one step");
    if (model.numClasses() == 0)
        throw Error("this model has no classifier output, so it has no class to fool");
    if (targetClass < 0 || targetClass >= model.numClasses())
        throw Error("class " + std::to_string(targetClass) + " is out of range (the model has " +
            std::to_string(model.numClasses()) + " classes)");
    FeatureVisConfig fv;
    fv.size = model.metadata().input.size;
    fv.steps = maxSteps;
    fv.seed = seed;
    fv.transformationRobustness = false;  // a fooling image need only fool this exact input
    // Plain pixels (Nguyen et al.'s gradient ascent): the Fourier parameterisation's smooth
    // images are slow to reach a confidence that needs saturated colours.
    fv.parameterization = FeatureVisConfig::Parameterization::Pixel;
    fv.decorrelateColour = false;
    // The log-probability: its gradient does not vanish as the probability nears 1.
    ImageObjective objective;
    objective.withModelOutput = true;
    objective.evaluate = [targetClass](const CaptureResult& captured) {
        return torch::log_softmax(captured.modelOutput, 1).select(1, targetClass);
    };
    const float logConfidence = std::log(confidence);
    objective.stopWhen = [logConfidence](float logP) { return logP >= logConfidence; };
    FoolingImage out;
    out.targetClass = targetClass;
    const FeatureVisResult result = optimiseImages(model, fv, 1, objective, progress);
    if (result.images.empty())
        throw Error("the fooling image stopped: " + result.warning);
    out.image = result.images.front();
    out.probability = classProbability(model, out.image, targetClass);  // the 8-bit image's
    out.steps = result.stepsDone;
    for (float logP : result.objectiveHistory)
        out.probabilityHistory.push_back(std::exp(logP));
    return out;
}

}  // namespace loupe
