#include "core/colour_names.h"

#include <opencv2/imgproc.hpp>

#include <array>
#include <limits>

namespace loupe {
namespace {

// Typical sRGB renderings of each term's focal colour, in the order of basicColourNames().
constexpr std::array<std::array<int, 3>, 11> kPrototypes{{
    {20, 20, 20},  // black
    {40, 80, 200},  // blue
    {120, 72, 35},  // brown
    {128, 128, 128},  // grey
    {45, 155, 50},  // green
    {240, 135, 20},  // orange
    {240, 150, 185},  // pink
    {125, 45, 160},  // purple
    {205, 25, 30},  // red
    {245, 245, 245},  // white
    {240, 220, 40},  // yellow
}};

constexpr int kLevels = 32;  // per channel, 8 values per level

cv::Vec3f toLab(int r, int g, int b)
{
    cv::Mat rgb(1, 1, CV_32FC3, cv::Scalar(r / 255.f, g / 255.f, b / 255.f)), lab;
    cv::cvtColor(rgb, lab, cv::COLOR_RGB2Lab);
    return lab.at<cv::Vec3f>(0, 0);
}

// The 32^3 table: every level's centre colour named by its nearest prototype in CIELAB.
std::vector<std::uint8_t> buildTable()
{
    std::vector<cv::Vec3f> prototypes;
    for (const auto& p : kPrototypes)
        prototypes.push_back(toLab(p[0], p[1], p[2]));
    cv::Mat centres(1, kLevels * kLevels * kLevels, CV_32FC3), lab;
    int i = 0;
    for (int r = 0; r < kLevels; ++r)
        for (int g = 0; g < kLevels; ++g)
            for (int b = 0; b < kLevels; ++b)
                centres.at<cv::Vec3f>(0, i++) =
                    cv::Vec3f((r * 8 + 4) / 255.f, (g * 8 + 4) / 255.f, (b * 8 + 4) / 255.f);
    cv::cvtColor(centres, lab, cv::COLOR_RGB2Lab);
    std::vector<std::uint8_t> table(size_t(centres.cols));
    for (int j = 0; j < centres.cols; ++j) {
        const cv::Vec3f c = lab.at<cv::Vec3f>(0, j);
        float best = std::numeric_limits<float>::max();
        for (size_t k = 0; k < prototypes.size(); ++k) {
            const cv::Vec3f d = c - prototypes[k];
            const float distance = d.dot(d);
            if (distance < best) {
                best = distance;
                table[size_t(j)] = std::uint8_t(k);
            }
        }
    }
    return table;
}

const std::vector<std::uint8_t>& table()
{
    static const std::vector<std::uint8_t> t = buildTable();
    return t;
}

}  // namespace

const std::vector<std::string>& basicColourNames()
{
    static const std::vector<std::string> names{"black", "blue", "brown", "grey", "green", "orange",
        "pink", "purple", "red", "white", "yellow"};
    return names;
}

int colourNameOf(std::uint8_t r, std::uint8_t g, std::uint8_t b)
{
    return table()[(size_t(r >> 3) * kLevels + size_t(g >> 3)) * kLevels + size_t(b >> 3)];
}

std::vector<std::uint8_t> nameColours(const RgbImage& image)
{
    const auto& t = table();
    std::vector<std::uint8_t> names(size_t(image.width) * size_t(image.height));
    const std::uint8_t* p = image.pixels.data();
    for (auto& n : names) {
        n = t[(size_t(p[0] >> 3) * kLevels + size_t(p[1] >> 3)) * kLevels + size_t(p[2] >> 3)];
        p += 3;
    }
    return names;
}

}  // namespace loupe
