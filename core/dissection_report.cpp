#include "core/dissection_report.h"

#include "core/error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace loupe {
namespace {

std::string quoted(const std::string& s)
{
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// Colour-blind-safe categorical colours (Okabe & Ito), RGB.
const cv::Scalar kColours[] = {{0, 114, 178}, {230, 159, 0}, {0, 158, 115}, {204, 121, 167},
    {86, 180, 233}, {213, 94, 0}, {240, 228, 66}, {0, 0, 0}};

}  // namespace

std::string dissectionUnitsCsv(const DissectionResult& r)
{
    std::ostringstream out;
    out << "unit,concept,category,iou,runner_up,runner_up_iou,threshold,detector\n";
    for (const auto& u : r.units) {
        const auto name = [&](int c) {
            return c >= 0 ? quoted(r.concepts[size_t(c)].name) : std::string();
        };
        out << u.unit << ',' << name(u.concept) << ','
            << (u.concept >= 0 ? quoted(r.concepts[size_t(u.concept)].category) : std::string())
            << ',' << u.iou << ',' << name(u.runnerUp) << ',' << u.runnerUpIoU << ',' << u.threshold
            << ',' << (r.isDetector(u) ? 1 : 0) << '\n';
    }
    return out.str();
}

std::string detectorSummaryCsv(const std::vector<DissectionResult>& layers)
{
    std::ostringstream out;
    out << "layer,category,unique_concepts,detector_units,units\n";
    for (const auto& r : layers)
        for (const auto& c : r.detectorsPerCategory())
            out << quoted(r.layer) << ',' << quoted(c.category) << ',' << c.uniqueConcepts << ','
                << c.units << ',' << r.units.size() << '\n';
    return out.str();
}

RgbImage detectorChart(const std::vector<DissectionResult>& layers, const std::string& title)
{
    if (layers.empty())
        throw Error("no dissected layer to draw");
    std::vector<std::string> categories;
    int highest = 1;
    for (const auto& r : layers)
        for (const auto& c : r.detectorsPerCategory()) {
            if (std::find(categories.begin(), categories.end(), c.category) == categories.end())
                categories.push_back(c.category);
            highest = std::max(highest, c.uniqueConcepts);
        }
    const int groupWidth = std::max(90, 24 * int(categories.size()) + 30);
    const int left = 70, top = 60, plotHeight = 320, bottom = 110, legendWidth = 170;
    const int width = left + groupWidth * int(layers.size()) + 20 + legendWidth;
    const int height = top + plotHeight + bottom;
    cv::Mat canvas(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
    const auto text = [&](const std::string& s, cv::Point at, double scale, int thickness = 1) {
        cv::putText(canvas, s, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(20, 20, 20),
            thickness, cv::LINE_AA);
    };
    text(title, {left, 30}, 0.6, 1);
    // Axis, ticks at whole numbers of concepts.
    const int x0 = left, y0 = top + plotHeight;
    cv::line(canvas, {x0, top}, {x0, y0}, cv::Scalar(0, 0, 0));
    cv::line(canvas, {x0, y0}, {x0 + groupWidth * int(layers.size()), y0}, cv::Scalar(0, 0, 0));
    const int step = std::max(1, highest / 5);
    for (int v = 0; v <= highest; v += step) {
        const int y = y0 - int(double(v) / highest * plotHeight);
        cv::line(canvas, {x0 - 4, y}, {x0, y}, cv::Scalar(0, 0, 0));
        text(std::to_string(v), {x0 - 12 - 9 * int(std::to_string(v).size()), y + 5}, 0.45);
    }
    // The y label, written vertically by rotating a strip.
    {
        const std::string label = "unique detectors";
        cv::Mat strip(24, plotHeight, CV_8UC3, cv::Scalar(255, 255, 255));
        cv::putText(strip, label, {std::max(0, (plotHeight - 9 * int(label.size())) / 2), 17},
            cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(20, 20, 20), 1, cv::LINE_AA);
        cv::Mat turned;
        cv::rotate(strip, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
        turned.copyTo(canvas(cv::Rect(4, top, 24, plotHeight)));
    }
    const int barWidth = std::max(8, (groupWidth - 30) / std::max(1, int(categories.size())));
    for (size_t l = 0; l < layers.size(); ++l) {
        const int gx = x0 + 15 + int(l) * groupWidth;
        const auto counts = layers[l].detectorsPerCategory();
        for (size_t c = 0; c < categories.size(); ++c) {
            int n = 0;
            for (const auto& d : counts)
                if (d.category == categories[c])
                    n = d.uniqueConcepts;
            const int h = int(double(n) / highest * plotHeight);
            const int bx = gx + int(c) * barWidth;
            if (h > 0)
                cv::rectangle(
                    canvas, {bx, y0 - h}, {bx + barWidth - 3, y0}, kColours[c % 8], cv::FILLED);
        }
        // Layer names below their group, slanted text is unreadable in Hershey: shortened.
        std::string name = layers[l].layer;
        if (name.size() > 14)
            name = name.substr(0, 13) + ".";
        cv::Mat strip(20, 150, CV_8UC3, cv::Scalar(255, 255, 255));
        cv::putText(strip, name, {0, 15}, cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(20, 20, 20), 1,
            cv::LINE_AA);
        cv::Mat turned;
        cv::rotate(strip, turned, cv::ROTATE_90_CLOCKWISE);
        const int tx = gx + (groupWidth - 30) / 2 - 10;
        const int h = std::min(150, bottom - 8);
        if (tx >= 0 && tx + 20 <= width)
            turned(cv::Rect(0, 0, 20, h)).copyTo(canvas(cv::Rect(tx, y0 + 6, 20, h)));
    }
    // Legend, outside the bars.
    const int lx = x0 + groupWidth * int(layers.size()) + 20;
    for (size_t c = 0; c < categories.size(); ++c) {
        const int ly = top + 10 + int(c) * 24;
        cv::rectangle(canvas, {lx, ly}, {lx + 16, ly + 16}, kColours[c % 8], cv::FILLED);
        text(categories[c], {lx + 24, ly + 14}, 0.5);
    }
    RgbImage out(width, height);
    for (int y = 0; y < height; ++y)
        std::copy(
            canvas.ptr<std::uint8_t>(y), canvas.ptr<std::uint8_t>(y) + 3 * width, out.pixel(0, y));
    return out;
}

}  // namespace loupe
