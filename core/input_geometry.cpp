#include "core/input_geometry.h"

#include "core/cv_convert.h"
#include "core/error.h"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace loupe {

RgbImage resizeAndCenterCrop(const RgbImage& image, int size)
{
    if (image.empty())
        throw Error("the image is empty");
    const double scale = double(size) / std::min(image.width, image.height);
    const int w = std::max(size, int(std::lround(image.width * scale)));
    const int h = std::max(size, int(std::lround(image.height * scale)));
    cv::Mat resized;
    cv::resize(rgbMatView(image), resized, cv::Size(w, h), 0, 0,
        scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    const cv::Mat crop = resized(cv::Rect((w - size) / 2, (h - size) / 2, size, size));
    RgbImage out(size, size);
    for (int y = 0; y < size; ++y)
        std::copy(crop.ptr<std::uint8_t>(y), crop.ptr<std::uint8_t>(y) + 3 * size, out.pixel(0, y));
    return out;
}

}  // namespace loupe
