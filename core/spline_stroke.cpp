// The geometry of a traced stroke, without tensors: sampling, length, SVG and JSON export,
// and drawing over an image. Fitting is in core/torch/spline_trace.cpp.

#include "core/spline_trace.h"

#include "core/cv_convert.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>

namespace loupe {
namespace {

// The control points with both ends tripled: span i uses extended points i..i+3.
std::vector<Point2> extended(const std::vector<Point2>& points)
{
    if (points.empty())
        return {};
    std::vector<Point2> e{points.front(), points.front()};
    e.insert(e.end(), points.begin(), points.end());
    e.push_back(points.back());
    e.push_back(points.back());
    return e;
}

Point2 combine(const Point2& a, double wa, const Point2& b, double wb, const Point2& c, double wc,
    const Point2& d = {0, 0}, double wd = 0)
{
    return {a[0] * wa + b[0] * wb + c[0] * wc + d[0] * wd,
        a[1] * wa + b[1] * wb + c[1] * wc + d[1] * wd};
}

std::string number(double v)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", v);
    return buffer;
}

cv::Scalar strokeColour(size_t index)
{
    static const cv::Scalar colours[] = {{230, 40, 40}, {40, 120, 230}, {40, 170, 60},
        {230, 150, 20}, {160, 60, 200}, {20, 170, 170}};
    return colours[index % 6];
}

}  // namespace

std::vector<Point2> SplineStroke::samples(int perSpan) const
{
    const auto e = extended(controlPoints);
    std::vector<Point2> out;
    if (e.size() < 4)
        return out;
    for (size_t span = 0; span + 3 < e.size(); ++span)
        for (int i = 0; i < perSpan; ++i) {
            const double t = double(i) / perSpan;
            const double t2 = t * t, t3 = t2 * t;
            out.push_back(combine(e[span], (1 - t) * (1 - t) * (1 - t) / 6, e[span + 1],
                (3 * t3 - 6 * t2 + 4) / 6, e[span + 2], (-3 * t3 + 3 * t2 + 3 * t + 1) / 6,
                e[span + 3], t3 / 6));
        }
    out.push_back(controlPoints.back());
    return out;
}

double SplineStroke::length() const
{
    const auto points = samples(32);
    double total = 0;
    for (size_t i = 1; i < points.size(); ++i)
        total += std::hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
    return total;
}

std::string SplineStroke::svgPath() const
{
    const auto e = extended(controlPoints);
    if (e.size() < 4)
        return {};
    std::string path = "M " + number(e[0][0]) + " " + number(e[0][1]);
    for (size_t span = 0; span + 3 < e.size(); ++span) {
        // A uniform cubic B-spline span as a Bézier: the standard change of basis.
        const Point2 b1 = combine(e[span + 1], 2.0 / 3, e[span + 2], 1.0 / 3, e[span], 0);
        const Point2 b2 = combine(e[span + 1], 1.0 / 3, e[span + 2], 2.0 / 3, e[span], 0);
        const Point2 b3 = combine(e[span + 1], 1.0 / 6, e[span + 2], 4.0 / 6, e[span + 3], 1.0 / 6);
        path += " C " + number(b1[0]) + " " + number(b1[1]) + " " + number(b2[0]) + " " +
            number(b2[1]) + " " + number(b3[0]) + " " + number(b3[1]);
    }
    return path;
}

RgbImage drawStrokes(
    const RgbImage& image, const std::vector<SplineStroke>& strokes, bool showControlPoints)
{
    // Drawn at 4x so thin strokes and small points stay legible, then kept at that size.
    const int scale = 4;
    cv::Mat canvas;
    cv::resize(rgbMatView(image), canvas, cv::Size(image.width * scale, image.height * scale), 0, 0,
        cv::INTER_NEAREST);
    const auto at = [&](const Point2& p) {
        return cv::Point(int(std::lround(p[0] * scale * 16)), int(std::lround(p[1] * scale * 16)));
    };
    for (size_t s = 0; s < strokes.size(); ++s) {
        const auto& stroke = strokes[s];
        const cv::Scalar colour = strokeColour(s);
        std::vector<cv::Point> curve;
        for (const auto& p : stroke.samples(16))
            curve.push_back(at(p));
        cv::polylines(canvas, curve, false, colour, std::max(2, int(stroke.width * scale / 2)),
            cv::LINE_AA, 4);
        if (!showControlPoints)
            continue;
        std::vector<cv::Point> polygon;
        for (const auto& p : stroke.controlPoints)
            polygon.push_back(at(p));
        cv::polylines(canvas, polygon, false, cv::Scalar(255, 255, 255), 1, cv::LINE_AA, 4);
        for (const auto& p : polygon)
            cv::circle(canvas, p, 5 * 16, colour, -1, cv::LINE_AA, 4);
    }
    RgbImage out(canvas.cols, canvas.rows);
    std::copy(canvas.data, canvas.data + out.pixels.size(), out.pixels.begin());
    return out;
}

std::string strokesSvg(const std::vector<SplineStroke>& strokes, int width, int height,
    const std::string& backgroundHref)
{
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
        "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) +
        " " + std::to_string(height) + "\">\n";
    if (!backgroundHref.empty())
        svg += "  <image href=\"" + backgroundHref + "\" x=\"0\" y=\"0\" width=\"" +
            std::to_string(width) + "\" height=\"" + std::to_string(height) + "\"/>\n";
    for (size_t s = 0; s < strokes.size(); ++s) {
        const cv::Scalar c = strokeColour(s);
        char colour[16];
        std::snprintf(colour, sizeof colour, "#%02x%02x%02x", int(c[0]), int(c[1]), int(c[2]));
        svg += "  <path d=\"" + strokes[s].svgPath() + "\" fill=\"none\" stroke=\"" + colour +
            "\" stroke-width=\"" + number(strokes[s].width) + "\" stroke-linecap=\"round\"/>\n";
    }
    svg += "</svg>\n";
    return svg;
}

Json strokesJson(const std::vector<SplineStroke>& strokes, int width, int height)
{
    Json out = Json::object();
    out["width"] = width;
    out["height"] = height;
    Json list = Json::array();
    for (const auto& stroke : strokes) {
        Json s = Json::object();
        Json points = Json::array();
        for (const auto& p : stroke.controlPoints)
            points.push(Json(Json::Array{p[0], p[1]}));
        s["control_points"] = points;
        s["width"] = stroke.width;
        s["softness"] = stroke.softness;
        s["score"] = stroke.score;
        s["length"] = stroke.length();
        s["svg_path"] = stroke.svgPath();
        list.push(s);
    }
    out["strokes"] = list;
    out["spline"] = "uniform cubic B-spline, end control points tripled";
    return out;
}

}  // namespace loupe
