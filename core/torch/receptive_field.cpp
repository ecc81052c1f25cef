#include "core/receptive_field.h"

#include "core/cv_convert.h"
#include "core/error.h"
#include "core/input_geometry.h"
#include "core/torch/model_impl.h"
#include "core/torch/random.h"
#include "core/torch/tensor_image.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace loupe {

ReceptiveField estimateReceptiveField(Model& model, const std::string& layerName)
{
    const LayerInfo& layer = model.layer(layerName);
    if (!layer.isSpatial())
        throw Error("layer '" + layer.path + "' has no spatial extent, so no receptive field");
    auto& d = model.impl();
    const int size = d.metadata.input.size;
    const auto& plan = d.captures.plan(d.module, {{layer.path, true}}, false);
    auto generator = seededGenerator(12345);
    torch::Tensor support;
    int64_t h = 0, w = 0;
    const auto& spec = d.metadata.input;
    for (int trial = 0; trial < 6; ++trial) {
        // Random pixels in the model's own value range, so that units are in their usual
        // regime (inputs of the wrong scale leave most ReLUs shut and hide paths).
        const auto pixels = uniform({1, 3, size, size}, generator, torch::kFloat32);
        auto input = rgbToModelInput(pixels, spec).to(d.device).requires_grad_();
        const auto act = runCapture(d.module, plan, input).activations.at(0);
        h = act.size(2);
        w = act.size(3);
        act.select(2, h / 2).select(2, w / 2).sum().backward();
        const auto touched = input.grad().abs().sum(c10::IntArrayRef{0, 1}).to(torch::kCPU) > 0;
        support = support.defined() ? (support | touched) : touched;
    }
    const auto rows = support.any(1).nonzero();
    const auto cols = support.any(0).nonzero();
    ReceptiveField field;
    field.stride = double(size) / double(w);
    field.offset = field.stride / 2;
    if (rows.numel() == 0 || cols.numel() == 0) {
        field.size = int(field.stride);
        return field;
    }
    const int64_t extentY = rows.max().item<int64_t>() - rows.min().item<int64_t>() + 1;
    const int64_t extentX = cols.max().item<int64_t>() - cols.min().item<int64_t>() + 1;
    // Near the border the field is clipped by the image; the centre unit sees it whole
    // unless the field exceeds the input.
    field.size = int(std::max(extentX, extentY));
    return field;
}

RgbImage exampleImage(const RgbImage& original, int inputSize, const ReceptiveField& field, int x,
    int y, bool wholeImage, int outSize)
{
    const RgbImage view = resizeAndCenterCrop(original, inputSize);
    cv::Mat mat = bgrFromRgbImage(view);
    const int half = std::max(1, field.size / 2);
    const cv::Rect box(field.centreX(x) - half, field.centreY(y) - half, 2 * half, 2 * half);
    cv::Mat out;
    if (wholeImage) {
        cv::rectangle(mat, box, cv::Scalar(0, 160, 255), std::max(1, inputSize / 112), cv::LINE_AA);
        out = mat;
    } else {
        // A field at the border is shifted inside the view where it fits, so the crop shows
        // picture rather than padding; only a field larger than the view is padded.
        cv::Rect crop = box;
        if (crop.width <= mat.cols)
            crop.x = std::clamp(crop.x, 0, mat.cols - crop.width);
        if (crop.height <= mat.rows)
            crop.y = std::clamp(crop.y, 0, mat.rows - crop.height);
        cv::copyMakeBorder(mat, out, 2 * half, 2 * half, 2 * half, 2 * half, cv::BORDER_CONSTANT,
            cv::Scalar(128, 128, 128));
        out = out(cv::Rect(crop.x + 2 * half, crop.y + 2 * half, crop.width, crop.height)).clone();
    }
    cv::Mat scaled;
    cv::resize(out, scaled, cv::Size(outSize, outSize), 0, 0, cv::INTER_AREA);
    return rgbImageFromBgr(scaled);
}

}  // namespace loupe
