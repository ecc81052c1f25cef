#pragma once

#include "core/image.h"
#include "core/progress.h"

#include <functional>
#include <string>
#include <vector>

namespace loupe {

class Model;

// What an attribution explains: a class logit or probability, a unit (channel mean over
// positions, or one position), or a whole layer (mean of all its activations).
struct AttributionTarget {
    // Concept: a learned concept's direction in the layer's channel space (the mean over
    // positions of <activation, direction>), named concept:LAYER:INDEX.
    enum class Kind { Logit, Probability, Unit, Layer, Concept } kind = Kind::Logit;
    int index = 0;  // class index, channel for a unit, concept index
    std::string layer;  // for a unit or a concept
    int x = -1, y = -1;  // unit position (-1: mean over positions)
    // A concept's direction (one weight per channel): filled from the workspace by
    // resolveConceptTarget (core/concept_dictionary_store.h) before the target is used.
    std::vector<float> direction;

    // "class:N" (logit), "prob:N", "unit:L:C", "unit:L:C@x,y", "layer:L" or "concept:L:N".
    // Throws loupe::Error.
    static AttributionTarget parse(const std::string& text);
    std::string toString() const;
    bool isInternal() const
    {
        return kind == Kind::Unit || kind == Kind::Layer || kind == Kind::Concept;
    }  // inside the network
};

enum class AttributionMethod {
    Saliency,
    InputTimesGradient,
    SmoothGrad,
    IntegratedGradients,
    GradCam,
    GradCamPlusPlus,
    Occlusion,
    GuidedBackprop,  // ReLU backward rule changed inside the TorchScript graph (any target)
    Deconvnet,
    FullGrad,  // Srinivas & Fleuret: input-gradient plus every conv/BN bias-gradient map
    Lime,  // Ribeiro et al.: ridge regression of the target on superpixels shown or hidden
};
// Names from the registry (core/attribution_methods.h): "saliency", "ig", ...
AttributionMethod attributionMethodFromString(const std::string& name);
std::string toString(AttributionMethod method);

struct AttributionConfig {
    AttributionMethod method = AttributionMethod::Saliency;
    AttributionTarget target;
    std::string layer;  // Grad-CAM / Grad-CAM++ layer
    int samples = 32;  // SmoothGrad
    float noise = 0.15f;  // SmoothGrad sigma / (max - min) of the input
    int steps = 64;  // integrated gradients
    enum class Baseline { Black, Blur, Noise } baseline = Baseline::Black;
    int batch = 16;  // internal batching (IG, SmoothGrad, occlusion); halved on out-of-memory
    int patch = 32;  // occlusion patch, model-input pixels
    int stride = 8;
    enum class Fill { Grey, Black, Mean, Blur } fill = Fill::Grey;
    int limeSamples = 1000;  // LIME: on/off patterns evaluated
    int superpixels = 50;  // LIME: about this many SLIC superpixels
    std::uint64_t seed = 0;
};

// A map over the model-input view of the image (size x size, after resize + centre crop).
struct AttributionMap {
    int width = 0;
    int height = 0;
    std::vector<float> values;
    bool isSigned = false;  // signed maps use a diverging colour map
    float targetValue = 0;  // f(x)
    float baselineValue = 0;  // f(baseline) for integrated gradients
    // FullGrad: sum of the raw input-gradient and bias-gradient terms before post-processing;
    // equals targetValue for piecewise-linear networks (completeness), 0 for other methods.
    float explainedValue = 0;
    int biasLayers = 0;  // FullGrad: layers whose bias gradients were included
    RgbImage inputView;  // the image as the model saw it
};

// The map as colours (diverging for signed maps, magma otherwise), and blended over the
// model-input view of the image.
RgbImage attributionHeatmap(const AttributionMap& map);
RgbImage attributionOverlay(const AttributionMap& map, float opacity = 0.6f);
// The same on a given value range, so that several maps share one colour scale (a map before
// and after a circuit edit): unsigned maps use [0, hi].
RgbImage attributionHeatmapOnRange(const AttributionMap& map, float lo, float hi);
RgbImage attributionOverlayOnRange(
    const AttributionMap& map, float lo, float hi, float opacity = 0.6f);

// Computes the attribution. Throws loupe::Error on bad input (class out of range, unknown
// layer, Grad-CAM on a layer without spatial extent, a patch larger than the input) and
// loupe::Cancelled when cancelled. `partial` receives the occlusion map while it fills in.
AttributionMap attribute(Model& model, const RgbImage& image, const AttributionConfig& config,
    Progress& progress, const std::function<void(const AttributionMap&)>& partial = {});

}  // namespace loupe
