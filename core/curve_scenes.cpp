#include "core/curve_scenes.h"

#include "core/cv_convert.h"
#include "core/stimulus.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <random>

namespace loupe {
namespace {

// A stroke's coverage (0..1) from the renderer's black-on-white image.
cv::Mat coverageOf(const Stimulus& stimulus, int size, double x, double y, double field)
{
    const RgbImage drawn = renderStimulus(stimulus, size, x, y, field);
    cv::Mat grey;
    cv::cvtColor(rgbMatView(drawn), grey, cv::COLOR_RGB2GRAY);
    cv::Mat coverage;
    grey.convertTo(coverage, CV_32F, -1.0 / 255.0, 1.0);
    return coverage;
}

void markWhere(const cv::Mat& coverage, std::vector<std::uint8_t>& mask, double atLeast = 0.5)
{
    for (int y = 0; y < coverage.rows; ++y)
        for (int x = 0; x < coverage.cols; ++x)
            if (coverage.at<float>(y, x) >= atLeast)
                mask[size_t(y) * size_t(coverage.cols) + size_t(x)] = 1;
}

}  // namespace

CurveScene renderCurveScene(const CurveSceneConfig& config, std::uint64_t seed)
{
    const int size = config.size;
    std::mt19937_64 random(seed);
    const auto uniform = [&](double lo, double hi) {
        return std::uniform_real_distribution<double>(lo, hi)(random);
    };

    // Background: smoothed noise (a texture with its own edges, none of them strokes) around a
    // random mid grey, in colour, plus fine per-pixel noise.
    cv::RNG noise(seed);
    cv::Mat texture(size, size, CV_32FC3);
    noise.fill(texture, cv::RNG::NORMAL, 0, 1);
    cv::GaussianBlur(texture, texture, cv::Size(), 3.0);
    double lo = 0, hi = 0;
    cv::minMaxLoc(texture.reshape(1), &lo, &hi);
    const double scale = config.textureContrast / std::max(1e-6, hi - lo);
    const cv::Scalar base(uniform(120, 200), uniform(120, 200), uniform(120, 200));
    cv::Mat image = (texture - cv::Scalar::all((lo + hi) / 2)) * scale + base;
    cv::Mat fine(size, size, CV_32FC3);
    noise.fill(fine, cv::RNG::NORMAL, 0, config.noise);
    image += fine;

    CurveScene scene;
    const size_t pixels = size_t(size) * size_t(size);
    scene.curves.assign(pixels, 0);
    scene.lines.assign(pixels, 0);
    scene.ticks.assign(pixels, 0);

    const auto paint = [&](const cv::Mat& coverage) {
        const cv::Scalar ink(uniform(0, 50), uniform(0, 50), uniform(0, 50));
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const float a = coverage.at<float>(y, x);
                if (a <= 0)
                    continue;
                auto& p = image.at<cv::Vec3f>(y, x);
                for (int c = 0; c < 3; ++c)
                    p[c] = float(p[c] * (1 - a) + ink[c] * a);
            }
    };
    const double margin = config.fieldSize * 0.6;
    const auto place = [&](Stimulus s) {
        s.width = uniform(0.04, 0.07);
        const double x = uniform(margin, size - margin);
        const double y = uniform(margin, size - margin);
        return std::make_tuple(s, x, y);
    };

    if (config.combed) {
        Stimulus s;
        s.kind = StimulusKind::Curve;
        s.orientation = uniform(0, 360);
        s.curvature = uniform(1.2, 2.5);
        s.length = 1.0;
        auto [arc, x, y] = place(s);
        const cv::Mat curve = coverageOf(arc, size, x, y, config.fieldSize);
        Stimulus combed = arc;
        combed.kind = StimulusKind::Combed;
        combed.combLength = 0.35;  // ticks that reach well past the arc on both sides
        combed.combSpacing = 0.12;
        const cv::Mat all = coverageOf(combed, size, x, y, config.fieldSize);
        markWhere(curve, scene.curves);
        // Ticks: covered in the combed drawing, clear of the arc by a pixel.
        cv::Mat arcZone;
        cv::dilate(curve > 0.05f, arcZone, cv::Mat(), cv::Point(-1, -1), 1);
        for (int yy = 0; yy < size; ++yy)
            for (int xx = 0; xx < size; ++xx)
                if (all.at<float>(yy, xx) >= 0.5f && !arcZone.at<std::uint8_t>(yy, xx))
                    scene.ticks[size_t(yy) * size_t(size) + size_t(xx)] = 1;
        paint(all);
    } else {
        for (int i = 0; i < config.curves + config.lines; ++i) {
            Stimulus s;
            const bool curve = i < config.curves;
            s.kind = curve ? StimulusKind::Curve : StimulusKind::Line;
            s.orientation = uniform(0, 360);
            s.curvature = curve ? uniform(1.5, 3.0) : 0.0;
            s.length = curve ? uniform(0.7, 1.0) : uniform(0.9, 1.4);
            auto [placed, x, y] = place(s);
            const cv::Mat coverage = coverageOf(placed, size, x, y, config.fieldSize);
            markWhere(coverage, curve ? scene.curves : scene.lines);
            paint(coverage);
        }
    }
    // A pixel two strokes share belongs to the curve ground truth only.
    for (size_t i = 0; i < pixels; ++i)
        if (scene.curves[i])
            scene.lines[i] = scene.ticks[i] = 0;

    cv::Mat bytes;
    image.convertTo(bytes, CV_8UC3);
    RgbImage out(size, size);
    std::copy(bytes.data, bytes.data + out.pixels.size(), out.pixels.begin());
    scene.image = std::move(out);
    return scene;
}

}  // namespace loupe
