#include "core/cv_convert.h"

#include <opencv2/imgproc.hpp>

namespace loupe {

RgbImage rgbImageFromBgr(const cv::Mat& bgr)
{
    cv::Mat rgb;
    if (bgr.channels() == 1)
        cv::cvtColor(bgr, rgb, cv::COLOR_GRAY2RGB);
    else if (bgr.channels() == 4)
        cv::cvtColor(bgr, rgb, cv::COLOR_BGRA2RGB);
    else
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    RgbImage out(rgb.cols, rgb.rows);
    for (int y = 0; y < rgb.rows; ++y)
        std::copy(
            rgb.ptr<std::uint8_t>(y), rgb.ptr<std::uint8_t>(y) + 3 * rgb.cols, out.pixel(0, y));
    return out;
}

cv::Mat rgbMatView(const RgbImage& image)
{
    return cv::Mat(
        image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.pixels.data()));
}

cv::Mat bgrFromRgbImage(const RgbImage& image)
{
    cv::Mat bgr;
    cv::cvtColor(rgbMatView(image), bgr, cv::COLOR_RGB2BGR);
    return bgr;
}

}  // namespace loupe
