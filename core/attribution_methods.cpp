#include "core/attribution_methods.h"

#include "core/error.h"

namespace loupe {

const std::vector<AttributionMethodInfo>& attributionMethods()
{
    using M = AttributionMethod;
    static const std::vector<AttributionMethodInfo> list = {
        {M::Saliency, "saliency", "Saliency", false, false, ""},
        {M::InputTimesGradient, "inputxgrad", "Gradient × input", false, true, ""},
        {M::SmoothGrad, "smoothgrad", "SmoothGrad", false, false, "samples, noise, seed, batch"},
        {M::IntegratedGradients, "ig", "Integrated gradients", false, true,
            "steps, baseline, seed, batch"},
        {M::GradCam, "gradcam", "Grad-CAM", true, false, "layer"},
        {M::GradCamPlusPlus, "gradcampp", "Grad-CAM++", true, false, "layer"},
        {M::Occlusion, "occlusion", "Occlusion", false, true, "patch, stride, fill, batch"},
        {M::GuidedBackprop, "guided", "Guided backprop", false, false, ""},
        {M::Deconvnet, "deconvnet", "Deconvnet", false, false, ""},
        {M::FullGrad, "fullgrad", "FullGrad", false, false, ""},
        {M::Lime, "lime", "LIME", false, true, "lime samples, superpixels, fill, seed, batch"},
    };
    return list;
}

const AttributionMethodInfo& attributionMethodInfo(AttributionMethod method)
{
    for (const auto& info : attributionMethods())
        if (info.method == method)
            return info;
    throw Error("attribution method missing from the registry");
}

std::string attributionMethodLabel(const std::string& name)
{
    for (const auto& info : attributionMethods())
        if (info.name == name)
            return info.label;
    return name;
}

std::string attributionMethodNames()
{
    std::string names;
    for (const auto& info : attributionMethods())
        names += (names.empty() ? "" : "|") + info.name;
    return names;
}

AttributionMethod attributionMethodFromString(const std::string& name)
{
    for (const auto& info : attributionMethods())
        if (info.name == name)
            return info.method;
    throw Error("unknown method '" + name + "' (" + attributionMethodNames() + ")");
}

std::string toString(AttributionMethod method)
{
    return attributionMethodInfo(method).name;
}

AttributionConfig::Fill occlusionFillFromString(const std::string& name)
{
    using Fill = AttributionConfig::Fill;
    if (name == "grey" || name == "gray")
        return Fill::Grey;
    if (name == "black")
        return Fill::Black;
    if (name == "mean")
        return Fill::Mean;
    if (name == "blur")
        return Fill::Blur;
    throw Error("unknown fill '" + name + "' (grey, black, mean or blur)");
}

AttributionConfig::Baseline baselineFromString(const std::string& name)
{
    using Baseline = AttributionConfig::Baseline;
    if (name == "black")
        return Baseline::Black;
    if (name == "blur")
        return Baseline::Blur;
    if (name == "noise")
        return Baseline::Noise;
    throw Error("unknown baseline '" + name + "' (black, blur or noise)");
}

}  // namespace loupe
