#pragma once
// Adversarial examples on the current photo: FGSM (Goodfellow et al. 2015) and PGD (Madry et al.
// 2018), untargeted or towards a class, under an L-infinity budget in 0-255 pixel units; the
// smallest budget that changes the top-1 (a bisection); and fooling images (Nguyen et al. 2015),
// optimised from noise until the model is confident of a class.
// The attack works on the photo as the model sees it (resized and centre-cropped) in 8-bit
// pixel units, so the returned image is exactly the one that was evaluated.

#include "core/activations.h"
#include "core/image.h"
#include "core/progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

class Model;

struct AttackConfig {
    enum class Method { Fgsm, Pgd };
    Method method = Method::Pgd;
    float epsilon = 8.f;  // L-infinity radius, pixel units (0-255)
    float stepSize = 2.f;  // PGD step, pixel units
    int steps = 10;  // PGD iterations
    bool randomStart = true;  // PGD: start at a random point of the ball (whole pixel values)
    int targetClass = -1;  // -1: untargeted (move away from the clean top-1)
    std::uint64_t seed = 0;

    std::string cacheKey() const;
};

struct Attack {
    RgbImage original;  // the photo as the model sees it
    RgbImage adversarial;
    RgbImage perturbation;  // 128 + delta scaled so that +-epsilon spans the 8-bit range
    float linfPixels = 0.f;  // measured max |adversarial - original|, pixel units
    std::vector<Prediction> before;  // top-5 on the original
    std::vector<Prediction> after;  // top-5 on the adversarial image
    int sourceClass = -1;  // the clean top-1
    int targetClass = -1;
    bool succeeded = false;  // untargeted: top-1 changed; targeted: top-1 is the target
    std::vector<float> lossHistory;  // cross-entropy per PGD step (the attack's objective)
};

const char* attackMethodName(AttackConfig::Method method);
AttackConfig::Method attackMethodFromName(const std::string& name);  // throws loupe::Error

// Throws loupe::Error for epsilon <= 0 (or above 255), a target class out of range, a model
// without a classifier, bad steps; loupe::Cancelled.
Attack attackImage(
    Model& model, const RgbImage& photo, const AttackConfig& config, Progress& progress);

struct EpsilonSearch {
    float epsilon = -1.f;  // smallest budget found that succeeds; -1 when even the largest fails
    std::vector<std::pair<float, bool>> tried;  // (epsilon, succeeded) in the order tried
    Attack attack;  // the successful attack at `epsilon` (or the largest budget's)
};

// Bisection over whole-pixel budgets in [1, maxEpsilon] for the smallest epsilon at which the
// attack succeeds (success is close to monotone in epsilon for PGD; each probe is a full attack).
EpsilonSearch smallestFlippingEpsilon(Model& model, const RgbImage& photo,
    const AttackConfig& config, float maxEpsilon, Progress& progress);

struct FoolingImage {
    RgbImage image;
    int targetClass = -1;
    float probability = 0.f;  // the model's confidence in the class at the end
    int steps = 0;
    std::vector<float> probabilityHistory;
};

// Optimises from noise (the feature-vis machinery, probability objective) until the class's
// probability reaches `confidence` or maxSteps pass.
FoolingImage makeFoolingImage(Model& model, int targetClass, float confidence, int maxSteps,
    std::uint64_t seed, Progress& progress);

}  // namespace loupe
