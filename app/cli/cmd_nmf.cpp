#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/named_directions.h"
#include "core/colormap.h"
#include "core/cv_convert.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/input_geometry.h"
#include "core/json.h"
#include "core/model.h"
#include "core/nmf.h"

#include <opencv2/imgproc.hpp>

#include <iostream>

namespace loupe::cli {
namespace {

// The image (model-input view) with every factor's map overlaid in its own colour, blended
// by strength: a segmentation-like picture of what the layer groups together.
RgbImage factorOverlay(const RgbImage& image, int inputSize, const LayerFactors& f, const std::vector<float>& maps)
{
    static const cv::Vec3f palette[] = {{230, 25, 75}, {60, 180, 75}, {0, 130, 200}, {245, 130, 48}, {145, 30, 180},
                                        {70, 240, 240}, {240, 50, 230}, {210, 245, 60}, {250, 190, 190}, {0, 128, 128}};
    const RgbImage view = resizeAndCenterCrop(image, inputSize);
    const int hw = f.height * f.width;
    float peak = 1e-12f;
    for (float v : maps)
        peak = std::max(peak, v);
    RgbImage out = view;
    for (int py = 0; py < inputSize; ++py) {
        for (int px = 0; px < inputSize; ++px) {
            const int cx = std::min(f.width - 1, px * f.width / inputSize), cy = std::min(f.height - 1, py * f.height / inputSize);
            int best = 0;
            float bestValue = -1;
            for (int k = 0; k < f.k; ++k) {
                const float v = maps[size_t(k) * hw + cy * f.width + cx];
                if (v > bestValue) {
                    bestValue = v;
                    best = k;
                }
            }
            const float alpha = 0.65f * std::min(1.f, bestValue / peak * 2);
            std::uint8_t* p = out.pixel(px, py);
            const cv::Vec3f& c = palette[best % 10];
            for (int ch = 0; ch < 3; ++ch)
                p[ch] = std::uint8_t(p[ch] * (1 - alpha) + c[ch] * alpha);
        }
    }
    return out;
}

} // namespace

int runNmf(const Args& args)
{
    args.allowOnly({"model", "device", "image", "layer", "k", "iterations", "seed", "out", "save", "workspace"});
    const auto model = Model::load(args.required("model"), devicePreferenceFromString(args.value("device")));
    std::vector<RgbImage> images;
    const auto paths = splitList(args.required("image"));
    for (const auto& p : paths)
        images.push_back(loadImage(p));
    const LayerFactors f = factorizeLayer(*model, images, args.required("layer"), args.intValue("k", 6),
                                          args.intValue("iterations", 300), std::uint64_t(args.intValue("seed", 0)));
    Json out = Json::object();
    out["layer"] = f.layer;
    out["k"] = f.k;
    out["relative_error"] = f.errorHistory.empty() ? 0.0 : double(f.errorHistory.back());
    Json components = Json::array();
    for (int k = 0; k < f.k; ++k) {
        // The strongest channels of each factor: its meaning in the layer's basis.
        std::vector<int> order(size_t(f.channels));
        for (int c = 0; c < f.channels; ++c)
            order[size_t(c)] = c;
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            return f.components[size_t(k * f.channels + a)] > f.components[size_t(k * f.channels + b)];
        });
        Json top = Json::array();
        for (int i = 0; i < std::min(5, f.channels); ++i)
            top.push(Json(Json::Array{order[size_t(i)], f.components[size_t(k * f.channels + order[size_t(i)])]}));
        components.push(top);
    }
    out["factors_top_channels"] = components;
    if (args.has("save")) {
        // Each factor becomes a named direction: NAME-0 .. NAME-(k-1), usable as
        // `featurevis --objective direction:NAME-i`.
        auto workspace = workspaceForModel(args, *model);
        Json saved = Json::array();
        for (int k = 0; k < f.k; ++k) {
            NamedDirection d;
            d.name = args.required("save") + "-" + std::to_string(k);
            d.layer = f.layer;
            d.vector.assign(f.components.begin() + k * f.channels, f.components.begin() + (k + 1) * f.channels);
            saveDirection(*workspace, d);
            saved.push(d.name);
        }
        out["saved_directions"] = saved;
    }
    if (args.has("out")) {
        const int size = model->metadata().input.size;
        std::vector<RgbImage> tiles;
        for (size_t i = 0; i < images.size(); ++i)
            tiles.push_back(factorOverlay(images[i], size, f, f.maps[i]));
        saveImage(tileGrid(tiles, int(tiles.size()), size, 4, 255), args.required("out"));
        out["out"] = args.value("out");
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

} // namespace loupe::cli
