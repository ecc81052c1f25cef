#include "core/tuning_figures.h"

#include "core/colormap.h"
#include "core/cv_convert.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace loupe {

Rgb familyColour(int index)
{
    static const Rgb palette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
        {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127}, {188, 189, 34},
        {23, 190, 207}};
    return palette[size_t(index) % std::size(palette)];
}

RgbImage sweepHeatmap(const SweepResult& sweep, int channelIndex, int cellPixels)
{
    const auto& axes = sweep.config.axes;
    FloatMap map;
    map.width = int(axes.at(0).values.size());
    map.height = axes.size() > 1 ? int(axes[1].values.size()) : 1;
    map.values.assign(size_t(map.width) * size_t(map.height), 0.f);
    for (int i = 0; i < sweep.stimuli(); ++i) {
        const int column = i / map.height,
                  row = map.height - 1 - i % map.height;  // second axis grows upwards
        map.values[size_t(row) * size_t(map.width) + size_t(column)] =
            sweep.response(i, channelIndex);
    }
    const auto [lo, hi] = std::minmax_element(map.values.begin(), map.values.end());
    const RgbImage cells = colorize(map, *lo, *hi > *lo ? *hi : *lo + 1, Colormap::Viridis);
    return upscaleNearest(cells, map.width * cellPixels, map.height * cellPixels);
}

RgbImage radialPlot(const RadialTuning& radial, int size)
{
    RgbImage out(size, size);
    std::fill(out.pixels.begin(), out.pixels.end(), 255);
    cv::Mat canvas = rgbMatView(out);
    const cv::Point2d centre(size / 2.0, size / 2.0);
    const double radius = size * 0.42;
    for (const double r : {0.25, 0.5, 0.75, 1.0})
        cv::circle(canvas, centre, int(radius * r), cv::Scalar(220, 220, 220), 1, cv::LINE_AA);
    for (int degrees = 0; degrees < 360; degrees += 45) {
        const double a = degrees * M_PI / 180;
        cv::line(canvas, centre, centre + cv::Point2d(radius * std::cos(a), -radius * std::sin(a)),
            cv::Scalar(220, 220, 220), 1, cv::LINE_AA);
    }
    for (size_t c = 0; c < radial.responses.size(); ++c) {
        const auto& curve = radial.responses[c];
        const float peak = curve.empty() ? 0.f : *std::max_element(curve.begin(), curve.end());
        std::vector<cv::Point> points;
        for (size_t o = 0; o < curve.size(); ++o) {
            const double a = radial.orientations[o] * M_PI / 180,
                         r = peak > 0 ? radius * curve[o] / peak : 0;
            points.emplace_back(int(std::lround(centre.x + r * std::cos(a))),
                int(std::lround(centre.y - r * std::sin(a))));
        }
        const Rgb colour = familyColour(int(c));
        cv::polylines(
            canvas, points, true, cv::Scalar(colour[0], colour[1], colour[2]), 2, cv::LINE_AA);
    }
    return out;
}

std::string sweepCsv(const SweepResult& sweep)
{
    std::ostringstream csv;
    for (const auto& axis : sweep.config.axes)
        csv << axis.parameter << ',';
    for (int c = 0; c < sweep.channels(); ++c)
        csv << sweep.config.target.layer << ':' << sweep.config.target.channels[size_t(c)]
            << (c + 1 < sweep.channels() ? "," : "\n");
    for (int i = 0; i < sweep.stimuli(); ++i) {
        for (double v : sweep.parametersOf(i))
            csv << v << ',';
        for (int c = 0; c < sweep.channels(); ++c)
            csv << sweep.response(i, c) << (c + 1 < sweep.channels() ? "," : "\n");
    }
    return csv.str();
}

std::string rotationCsv(const RotationTuning& rotation)
{
    std::ostringstream csv;
    csv << "rotation";
    for (int ch : rotation.channels)
        csv << ",mean_" << ch;
    for (int ch : rotation.channels)
        csv << ",aligned_" << ch;
    csv << '\n';
    for (size_t a = 0; a < rotation.angles.size(); ++a) {
        csv << rotation.angles[a];
        for (const auto& curve : rotation.mean)
            csv << ',' << curve[a];
        for (const auto& curve : rotation.aligned)
            csv << ',' << curve[a];
        csv << '\n';
    }
    return csv.str();
}

std::string radialCsv(const RadialTuning& radial)
{
    std::ostringstream csv;
    csv << "orientation";
    for (int channel : radial.channels)
        csv << ",channel_" << channel;
    csv << '\n';
    for (size_t o = 0; o < radial.orientations.size(); ++o) {
        csv << radial.orientations[o];
        for (const auto& curve : radial.responses)
            csv << ',' << curve[o];
        csv << '\n';
    }
    return csv.str();
}

}  // namespace loupe
