#include "core/degradations.h"

#include "core/cv_convert.h"
#include "core/error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace loupe {
namespace {

struct NamedDegradation {
    Degradation kind;
    const char* name;
};
constexpr NamedDegradation kNames[] = {{Degradation::Original, "original"},
    {Degradation::Greyscale, "greyscale"}, {Degradation::Edges, "edges"},
    {Degradation::Silhouette, "silhouette"}, {Degradation::TexturePatches, "texture"}};

cv::Mat grey(const RgbImage& image)
{
    cv::Mat out;
    cv::cvtColor(rgbMatView(image), out, cv::COLOR_RGB2GRAY);
    return out;
}

RgbImage fromGrey(const cv::Mat& grey)
{
    return rgbImageFromBgr(grey);
}

double median(const cv::Mat& grey)
{
    std::vector<uchar> values(grey.begin<uchar>(), grey.end<uchar>());
    std::nth_element(values.begin(), values.begin() + long(values.size() / 2), values.end());
    return values[values.size() / 2];
}

}  // namespace

const char* degradationName(Degradation kind)
{
    for (const auto& n : kNames)
        if (n.kind == kind)
            return n.name;
    return "?";
}

Degradation degradationFromName(const std::string& name)
{
    for (const auto& n : kNames)
        if (name == n.name)
            return n.kind;
    throw Error(
        "unknown degradation '" + name + "' (original, greyscale, edges, silhouette, texture)");
}

std::vector<Degradation> allDegradations()
{
    std::vector<Degradation> out;
    for (const auto& n : kNames)
        out.push_back(n.kind);
    return out;
}

RgbImage degradeImage(const RgbImage& image, Degradation kind, const RgbImage* mask)
{
    if (image.empty())
        throw Error("the image is empty");
    switch (kind) {
    case Degradation::Original: return image;
    case Degradation::Greyscale: return fromGrey(grey(image));
    case Degradation::Edges: {
        cv::Mat g = grey(image), edges;
        cv::GaussianBlur(g, g, cv::Size(3, 3), 0);
        const double m = median(g);
        cv::Canny(g, edges, std::max(0.0, 0.66 * m), std::min(255.0, 1.33 * m));
        return fromGrey(255 - edges);
    }
    case Degradation::Silhouette: {
        if (!mask || mask->empty())
            throw Error("a silhouette needs the object's mask");
        cv::Mat m = grey(*mask), resized;
        cv::resize(m, resized, cv::Size(image.width, image.height), 0, 0, cv::INTER_NEAREST);
        cv::Mat out(resized.size(), CV_8UC1, cv::Scalar(255));
        out.setTo(0, resized > 0);
        return fromGrey(out);
    }
    case Degradation::TexturePatches: {
        const int side = std::max(1, std::min(image.width, image.height) / 4);
        const cv::Mat source = rgbMatView(image);
        const cv::Mat patch =
            source(cv::Rect((image.width - side) / 2, (image.height - side) / 2, side, side));
        cv::Mat tiled(source.size(), source.type());
        for (int y = 0; y < tiled.rows; y += side)
            for (int x = 0; x < tiled.cols; x += side) {
                const cv::Rect r(
                    x, y, std::min(side, tiled.cols - x), std::min(side, tiled.rows - y));
                patch(cv::Rect(0, 0, r.width, r.height)).copyTo(tiled(r));
            }
        RgbImage out(image.width, image.height);
        std::copy(tiled.data, tiled.data + out.pixels.size(), out.pixels.begin());
        return out;
    }
    }
    throw Error("unknown degradation");
}

}  // namespace loupe
