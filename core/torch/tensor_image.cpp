#include "core/torch/tensor_image.h"

#include "core/input_geometry.h"
#include "core/error.h"


namespace loupe {

torch::Tensor imageToInput(const RgbImage& image, const InputSpec& spec)
{
    if (image.empty())
        throw Error("the image is empty");
    const int size = spec.size;
    const RgbImage crop = resizeAndCenterCrop(image, size);
    auto hwc = torch::from_blob(const_cast<std::uint8_t*>(crop.pixels.data()), {size, size, 3}, torch::kUInt8).to(torch::kFloat32);
    auto chw = hwc.permute({2, 0, 1});
    if (spec.bgr)
        chw = chw.flip({0});
    const float scaleToRange = (spec.rangeMax - spec.rangeMin) / 255.f;
    chw = chw * scaleToRange + spec.rangeMin;
    const auto mean = torch::tensor({spec.mean[0], spec.mean[1], spec.mean[2]}).view({3, 1, 1});
    const auto stdev = torch::tensor({spec.std[0], spec.std[1], spec.std[2]}).view({3, 1, 1});
    return ((chw - mean) / stdev).unsqueeze(0).contiguous();
}

RgbImage inputToImage(const torch::Tensor& input, const InputSpec& spec)
{
    auto chw = input.detach().to(torch::kCPU, torch::kFloat32);
    if (chw.dim() == 4)
        chw = chw[0];
    const auto mean = torch::tensor({spec.mean[0], spec.mean[1], spec.mean[2]}).view({3, 1, 1});
    const auto stdev = torch::tensor({spec.std[0], spec.std[1], spec.std[2]}).view({3, 1, 1});
    chw = (chw * stdev + mean - spec.rangeMin) * (255.f / (spec.rangeMax - spec.rangeMin));
    if (spec.bgr)
        chw = chw.flip({0});
    auto hwc = chw.clamp(0, 255).round().to(torch::kUInt8).permute({1, 2, 0}).contiguous();
    RgbImage out(int(hwc.size(1)), int(hwc.size(0)));
    std::memcpy(out.pixels.data(), hwc.data_ptr<std::uint8_t>(), out.pixels.size());
    return out;
}

} // namespace loupe
