#include "app/cli/featurevis_options.h"

#include "core/error.h"

namespace loupe::cli {

FeatureVisConfig featureVisConfigFromArgs(const Args& args)
{
    FeatureVisConfig c;
    const std::string param = args.value("param", "fourier");
    if (param != "fourier" && param != "pixel" && param != "upscale")
        throw Error("--param must be fourier, pixel or upscale");
    c.parameterization = param == "pixel" ? FeatureVisConfig::Parameterization::Pixel
        : param == "upscale"              ? FeatureVisConfig::Parameterization::Upscaling
                                          : FeatureVisConfig::Parameterization::Fourier;
    c.decorrelateColour = !args.has("no-decorrelate");
    c.size = args.intValue("size", c.size);
    c.steps = args.intValue("steps", c.steps);
    c.learningRate = float(args.doubleValue("lr", c.learningRate));
    c.seed = std::uint64_t(args.intValue("seed", 0));
    c.batch = args.positiveInt("batch", 1);
    c.diversity = float(args.doubleValue("diversity", 0));
    c.transformationRobustness = !args.has("no-transforms");
    c.jitterPixels = float(args.doubleValue("jitter", c.jitterPixels));
    c.scaleRange = float(args.doubleValue("scale", c.scaleRange));
    c.rotateDegrees = float(args.doubleValue("rotate", c.rotateDegrees));
    c.l1 = float(args.doubleValue("l1", 0));
    c.l2 = float(args.doubleValue("l2", 0));
    c.totalVariation = float(args.doubleValue("tv", 0));
    c.negative = args.has("negative");
    c.preRelu = args.has("pre-relu");
    c.previewEvery = 0;
    return c;
}

std::vector<std::string> featureVisOptionNames(std::vector<std::string> extra)
{
    for (const char* name :
        {"param", "no-decorrelate", "size", "steps", "lr", "seed", "batch", "diversity",
            "no-transforms", "jitter", "scale", "rotate", "l1", "l2", "tv", "negative", "pre-relu"})
        extra.emplace_back(name);
    return extra;
}

}  // namespace loupe::cli
