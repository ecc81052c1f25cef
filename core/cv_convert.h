#pragma once
// Internal (not for widgets): the one place where OpenCV's BGR HWC uint8 meets our RgbImage.

#include "core/image.h"

#include <opencv2/core.hpp>

namespace loupe {

RgbImage rgbImageFromBgr(const cv::Mat& bgr);  // 8UC3 BGR (or 8UC1) -> RgbImage (deep copy)
cv::Mat bgrFromRgbImage(const RgbImage& image);  // deep copy
cv::Mat rgbMatView(const RgbImage& image);  // shallow 8UC3 RGB view, valid while image lives

}  // namespace loupe
