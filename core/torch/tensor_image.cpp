#include "core/torch/tensor_image.h"

#include <cmath>

#include <cstring>

#include "core/error.h"
#include "core/input_geometry.h"

namespace loupe {
namespace {

torch::Tensor channelVector(const std::array<float, 3>& values, const torch::Tensor& like)
{
    return torch::tensor({values[0], values[1], values[2]}, like.options()).view({1, 3, 1, 1});
}

// A depthwise convolution with one kernel for every channel; the output keeps the size.
torch::Tensor depthwiseBlur(const torch::Tensor& images, const torch::Tensor& kernel)
{
    const int64_t k = kernel.size(0), channels = images.size(1);
    const auto weight = kernel.to(images.options()).view({1, 1, k, k}).repeat({channels, 1, 1, 1});
    return at::conv2d(at::replication_pad2d(images, {k / 2, k / 2, k / 2, k / 2}), weight,
        c10::optional<at::Tensor>(), at::IntArrayRef{1, 1}, at::IntArrayRef{0, 0},
        at::IntArrayRef{1, 1}, channels);
}

}  // namespace

torch::Tensor rgbToModelInput(const torch::Tensor& rgb, const InputSpec& spec)
{
    auto x = spec.bgr ? rgb.flip({1}) : rgb;
    x = x * (spec.rangeMax - spec.rangeMin) + spec.rangeMin;
    return (x - channelVector(spec.mean, x)) / channelVector(spec.std, x);
}

torch::Tensor modelInputToRgb(const torch::Tensor& input, const InputSpec& spec)
{
    auto x = input * channelVector(spec.std, input) + channelVector(spec.mean, input);
    x = (x - spec.rangeMin) / (spec.rangeMax - spec.rangeMin);
    return spec.bgr ? x.flip({1}) : x;
}

torch::Tensor imageToInput(const RgbImage& image, const InputSpec& spec)
{
    if (image.empty())
        throw Error("the image is empty");
    const int size = spec.size;
    const RgbImage crop = resizeAndCenterCrop(image, size);
    const auto hwc = torch::from_blob(
        const_cast<std::uint8_t*>(crop.pixels.data()), {size, size, 3}, torch::kUInt8)
                         .to(torch::kFloat32);
    return rgbToModelInput(hwc.permute({2, 0, 1}).unsqueeze(0) / 255.f, spec).contiguous();
}

RgbImage inputToImage(const torch::Tensor& input, const InputSpec& spec)
{
    auto x = input.detach().to(torch::kCPU, torch::kFloat32);
    if (x.dim() == 3)
        x = x.unsqueeze(0);
    const auto hwc = (modelInputToRgb(x, spec)[0] * 255.f)
                         .clamp(0, 255)
                         .round()
                         .to(torch::kUInt8)
                         .permute({1, 2, 0})
                         .contiguous();
    RgbImage out(int(hwc.size(1)), int(hwc.size(0)));
    std::memcpy(out.pixels.data(), hwc.data_ptr<std::uint8_t>(), out.pixels.size());
    return out;
}

torch::Tensor boxBlur(const torch::Tensor& images, int k)
{
    return depthwiseBlur(images, torch::ones({k, k}) / float(k * k));
}

torch::Tensor gaussianBlur(const torch::Tensor& images, double sigma)
{
    const int radius = int(std::ceil(3 * sigma));
    const auto t = torch::arange(-radius, radius + 1, torch::kFloat32);
    const auto g = torch::exp(-(t * t) / (2 * sigma * sigma));
    return depthwiseBlur(images, g.view({-1, 1}) * g.view({1, -1}) / (g.sum() * g.sum()));
}

torch::Tensor binomialBlur(const torch::Tensor& images)
{
    const auto g = torch::tensor({1.f, 2.f, 1.f});
    return depthwiseBlur(images, g.view({3, 1}) * g.view({1, 3}) / 16.f);
}

torch::Tensor rgbTensor(const RgbImage& image)
{
    return torch::from_blob(const_cast<std::uint8_t*>(image.pixels.data()),
        {image.height, image.width, 3}, torch::kUInt8)
        .permute({2, 0, 1})
        .to(torch::kFloat32)
        .div(255.f)
        .unsqueeze(0);
}

std::vector<RgbImage> rgbImages(const torch::Tensor& images)
{
    const auto bytes = (images.detach() * 255.f)
                           .round()
                           .clamp(0, 255)
                           .to(torch::kCPU, torch::kUInt8)
                           .permute({0, 2, 3, 1})
                           .contiguous();
    std::vector<RgbImage> out;
    for (int64_t b = 0; b < bytes.size(0); ++b) {
        RgbImage img(int(bytes.size(2)), int(bytes.size(1)));
        std::memcpy(img.pixels.data(), bytes[b].data_ptr<std::uint8_t>(), img.pixels.size());
        out.push_back(std::move(img));
    }
    return out;
}

}  // namespace loupe
