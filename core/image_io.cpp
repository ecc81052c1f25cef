#include "core/image_io.h"

#include "core/error.h"
#include "core/cv_convert.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>

namespace loupe {

RgbImage loadImage(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error("image '" + path + "' does not exist or is not a file");
    if (std::filesystem::file_size(path, ec) == 0)
        throw Error("image '" + path + "' is empty (0 bytes)");
    if (!std::ifstream(path, std::ios::binary))
        throw Error("image '" + path + "' cannot be read (permission denied?)");
    cv::Mat bgr;
    try {
        bgr = cv::imread(path, cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        throw Error("image '" + path + "' cannot be decoded: " + firstLine(e.what()));
    }
    if (bgr.empty())
        throw Error("image '" + path + "' is not a readable image (unknown format, truncated or corrupt)");
    return rgbImageFromBgr(bgr);
}

void saveImage(const RgbImage& image, const std::string& path)
{
    if (image.empty())
        throw Error("nothing to save to '" + path + "': the image is empty");
    bool ok = false;
    try {
        ok = cv::imwrite(path, bgrFromRgbImage(image));
    } catch (const cv::Exception& e) {
        throw Error("cannot write '" + path + "': " + firstLine(e.what()));
    }
    if (!ok)
        throw Error("cannot write '" + path + "' (directory missing, not writable, or unknown extension)");
}

std::string encodePng(const RgbImage& image)
{
    std::vector<uchar> bytes;
    cv::imencode(".png", bgrFromRgbImage(image), bytes);
    return std::string(bytes.begin(), bytes.end());
}

RgbImage decodePng(const std::string& bytes)
{
    const cv::Mat data(1, int(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    const cv::Mat bgr = cv::imdecode(data, cv::IMREAD_COLOR);
    if (bgr.empty())
        throw Error("cached image is unreadable");
    return rgbImageFromBgr(bgr);
}

} // namespace loupe
