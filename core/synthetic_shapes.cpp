#include "core/synthetic_shapes.h"

#include "core/cv_convert.h"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace loupe {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kShift = 4;  // sub-pixel bits for anti-aliased drawing
constexpr double kScale = 1 << kShift;

cv::Point fixed(double x, double y)
{
    return cv::Point(int(std::lround(x * kScale)), int(std::lround(y * kScale)));
}

cv::Scalar randomColour(SeededRandom& rng)
{
    return cv::Scalar(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
}

double luminance(const cv::Scalar& c)
{
    return 0.114 * c[0] + 0.587 * c[1] + 0.299 * c[2];
}

// A stroke colour that stands out from the background in brightness, so the shape is always
// visible (the task is about form, not about finding faint strokes).
cv::Scalar contrastingColour(SeededRandom& rng, const cv::Scalar& background)
{
    for (int attempt = 0; attempt < 32; ++attempt) {
        const cv::Scalar c = randomColour(rng);
        if (std::abs(luminance(c) - luminance(background)) > 70)
            return c;
    }
    return luminance(background) > 127 ? cv::Scalar(20, 20, 20) : cv::Scalar(235, 235, 235);
}

void polyline(cv::Mat& img, const std::vector<cv::Point2d>& points, bool closed,
    const cv::Scalar& colour, int width)
{
    std::vector<cv::Point> fixedPoints;
    for (const auto& p : points)
        fixedPoints.push_back(fixed(p.x, p.y));
    cv::polylines(img, std::vector<std::vector<cv::Point>>{fixedPoints}, closed, colour, width,
        cv::LINE_AA, kShift);
}

std::vector<cv::Point2d> arcPoints(
    cv::Point2d centre, double radius, double start, double sweep, int steps)
{
    std::vector<cv::Point2d> points;
    for (int i = 0; i <= steps; ++i) {
        const double a = start + sweep * i / steps;
        points.emplace_back(centre.x + radius * std::cos(a), centre.y + radius * std::sin(a));
    }
    return points;
}

cv::Point2d rotate(cv::Point2d p, double angle)
{
    return {p.x * std::cos(angle) - p.y * std::sin(angle),
        p.x * std::sin(angle) + p.y * std::cos(angle)};
}

void drawShape(
    cv::Mat& img, ShapeClass shape, SeededRandom& rng, const cv::Scalar& colour, int size)
{
    const double s = size;
    const double extent = rng.uniform(0.26, 0.40) * s;  // half-size of the shape
    const cv::Point2d centre(rng.uniform(0.5 * s - 0.12 * s, 0.5 * s + 0.12 * s),
        rng.uniform(0.5 * s - 0.12 * s, 0.5 * s + 0.12 * s));
    const int width = std::max(1, int(std::lround(rng.uniform(0.025, 0.07) * s)));
    const double rotation = rng.uniform(0, 2 * kPi);
    const auto place = [&](cv::Point2d p) {
        const auto r = rotate(p, rotation);
        return cv::Point2d(centre.x + r.x, centre.y + r.y);
    };

    switch (shape) {
    case ShapeClass::Circle:
        polyline(img, arcPoints(centre, extent * rng.uniform(0.6, 1.0), 0, 2 * kPi, 64), true,
            colour, width);
        break;
    case ShapeClass::Arc: {
        const double radius = extent * rng.uniform(0.7, 1.1);
        const double sweep = rng.uniform(0.35, 0.6) * 2 * kPi;
        // Centre the arc's midpoint near the image centre so that its curvature is in view.
        const cv::Point2d c(centre.x - radius * std::cos(rotation) * 0.5,
            centre.y - radius * std::sin(rotation) * 0.5);
        polyline(img, arcPoints(c, radius, rotation - sweep / 2, sweep, 48), false, colour, width);
        break;
    }
    case ShapeClass::Line: {
        const double half = extent * rng.uniform(0.8, 1.2);
        polyline(img, {place({-half, 0}), place({half, 0})}, false, colour, width);
        break;
    }
    case ShapeClass::Angle: {
        const double opening = rng.uniform(0.25, 0.6) * kPi;
        const double arm = extent * rng.uniform(0.9, 1.3);
        const cv::Point2d apex(-arm * 0.4, 0);
        polyline(img,
            {place({apex.x + arm * std::cos(opening / 2), arm * std::sin(opening / 2)}),
                place(apex),
                place({apex.x + arm * std::cos(opening / 2), -arm * std::sin(opening / 2)})},
            false, colour, width);
        break;
    }
    case ShapeClass::Spiral: {
        std::vector<cv::Point2d> points;
        const double turns = rng.uniform(1.8, 2.6);
        const double direction = rng.uniform() < 0.5 ? 1 : -1;
        for (int i = 0; i <= 160; ++i) {
            const double t = double(i) / 160;
            const double r = extent * (0.08 + 0.92 * t);
            points.push_back(place({r * std::cos(direction * t * turns * 2 * kPi),
                r * std::sin(direction * t * turns * 2 * kPi)}));
        }
        polyline(img, points, false, colour, std::max(1, width * 2 / 3));
        break;
    }
    case ShapeClass::Cross: {
        const double half = extent * rng.uniform(0.8, 1.1);
        const double second = rng.uniform(0.35, 0.5) * kPi;
        polyline(img, {place({-half, 0}), place({half, 0})}, false, colour, width);
        polyline(img, {place(rotate({-half, 0}, second)), place(rotate({half, 0}, second))}, false,
            colour, width);
        break;
    }
    case ShapeClass::Rings: {
        const int rings = rng.integer(2, 3);
        for (int r = 1; r <= rings; ++r)
            polyline(img, arcPoints(centre, extent * r / rings, 0, 2 * kPi, 64), true, colour,
                std::max(1, width * 2 / 3));
        break;
    }
    case ShapeClass::Star: {
        std::vector<cv::Point2d> points;
        const double inner = rng.uniform(0.35, 0.5);
        for (int i = 0; i < 10; ++i) {
            const double r = extent * (i % 2 == 0 ? 1.0 : inner);
            const double a = i * kPi / 5;
            points.push_back(place({r * std::cos(a), r * std::sin(a)}));
        }
        polyline(img, points, true, colour, width);
        break;
    }
    case ShapeClass::Dots: {
        const int count = rng.integer(12, 24);
        const int radius = std::max(1, int(std::lround(rng.uniform(0.02, 0.04) * s)));
        for (int i = 0; i < count; ++i)
            cv::circle(img, fixed(rng.uniform(0.08, 0.92) * s, rng.uniform(0.08, 0.92) * s),
                int(radius * kScale), colour, cv::FILLED, cv::LINE_AA, kShift);
        break;
    }
    case ShapeClass::Triangle: {
        std::vector<cv::Point2d> points;
        for (int i = 0; i < 3; ++i) {
            const double a = i * 2 * kPi / 3 + rng.uniform(-0.2, 0.2);
            points.push_back(place({extent * std::cos(a), extent * std::sin(a)}));
        }
        polyline(img, points, true, colour, width);
        break;
    }
    }
}

}  // namespace

SeededRandom::SeededRandom(std::uint64_t seed)
{
    // splitmix64 expands the seed into xoshiro256** state: fully specified, so the same seed
    // gives the same dataset on every platform and standard library.
    for (auto& s : state_) {
        seed += 0x9e3779b97f4a7c15ULL;
        std::uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        s = z ^ (z >> 31);
    }
}

std::uint64_t SeededRandom::next()
{
    const auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
}

double SeededRandom::uniform()
{
    return double(next() >> 11) * (1.0 / 9007199254740992.0);
}

double SeededRandom::uniform(double lo, double hi)
{
    return lo + (hi - lo) * uniform();
}

int SeededRandom::integer(int lo, int hiInclusive)
{
    return lo + int(uniform() * (hiInclusive - lo + 1));
}

double SeededRandom::normal()
{
    const double u1 = std::max(uniform(), 1e-12);
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * kPi * uniform());
}

std::vector<std::string> shapeClassNames()
{
    return {
        "circle", "arc", "line", "angle", "spiral", "cross", "rings", "star", "dots", "triangle"};
}

RgbImage renderShapeSample(ShapeClass shape, std::uint64_t seed, int size)
{
    SeededRandom rng(seed * 0x2545F4914F6CDD1DULL + std::uint64_t(shape) + 1);
    const cv::Scalar background = randomColour(rng);
    cv::Mat img(size, size, CV_8UC3, background);
    // A soft random gradient so the background is not a flat colour.
    const cv::Scalar other = randomColour(rng);
    const double gradientAngle = rng.uniform(0, 2 * kPi), gradientStrength = rng.uniform(0, 0.35);
    for (int y = 0; y < size; ++y) {
        auto* row = img.ptr<cv::Vec3b>(y);
        for (int x = 0; x < size; ++x) {
            const double t = gradientStrength *
                (0.5 +
                    0.5 *
                        ((x - size / 2.0) * std::cos(gradientAngle) +
                            (y - size / 2.0) * std::sin(gradientAngle)) /
                        size);
            for (int c = 0; c < 3; ++c)
                row[x][c] = cv::saturate_cast<uchar>(background[c] * (1 - t) + other[c] * t);
        }
    }
    drawShape(img, shape, rng, contrastingColour(rng, background), size);
    const double noise = rng.uniform(2, 12);
    for (int y = 0; y < size; ++y) {
        auto* row = img.ptr<cv::Vec3b>(y);
        for (int x = 0; x < size; ++x)
            for (int c = 0; c < 3; ++c)
                row[x][c] = cv::saturate_cast<uchar>(row[x][c] + noise * rng.normal());
    }
    return rgbImageFromBgr(img);
}

}  // namespace loupe
