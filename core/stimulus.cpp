#include "core/stimulus.h"

#include "core/error.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace loupe {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct Vec {
    double x = 0, y = 0;
};
Vec operator+(Vec a, Vec b)
{
    return {a.x + b.x, a.y + b.y};
}
Vec operator-(Vec a, Vec b)
{
    return {a.x - b.x, a.y - b.y};
}
Vec operator*(Vec a, double s)
{
    return {a.x * s, a.y * s};
}
double dot(Vec a, Vec b)
{
    return a.x * b.x + a.y * b.y;
}
double norm(Vec a)
{
    return std::sqrt(dot(a, a));
}
// Counter-clockwise on screen (y grows downwards).
Vec rotated(Vec v, double radians)
{
    const double c = std::cos(radians), s = std::sin(radians);
    return {v.x * c + v.y * s, -v.x * s + v.y * c};
}
Vec direction(double degrees)
{
    return {std::cos(degrees * kPi / 180), -std::sin(degrees * kPi / 180)};
}

double segmentDistance(Vec q, Vec a, Vec b)
{
    const Vec ab = b - a;
    const double len2 = dot(ab, ab);
    const double t = len2 > 0 ? std::clamp(dot(q - a, ab) / len2, 0.0, 1.0) : 0.0;
    return norm(q - (a + ab * t));
}

// The stroke of a stimulus as segments and circular arcs; its distance field is the minimum.
struct Arc {
    Vec centre;
    double radius;
    Vec middle;  // unit vector from the centre to the arc's midpoint
    double halfAngle;
};
struct Path {
    std::vector<std::pair<Vec, Vec>> segments;
    std::vector<Arc> arcs;

    double distance(Vec q) const
    {
        double d = 1e30;
        for (const auto& [a, b] : segments)
            d = std::min(d, segmentDistance(q, a, b));
        for (const Arc& arc : arcs) {
            const Vec v = q - arc.centre;
            const double r = norm(v);
            const double cosine = r > 0 ? std::clamp(dot(v, arc.middle) / r, -1.0, 1.0) : 1.0;
            if (std::acos(cosine) <= arc.halfAngle) {
                d = std::min(d, std::abs(r - arc.radius));
            } else {
                const Vec e1 = arc.centre + rotated(arc.middle, arc.halfAngle) * arc.radius;
                const Vec e2 = arc.centre + rotated(arc.middle, -arc.halfAngle) * arc.radius;
                d = std::min({d, norm(q - e1), norm(q - e2)});
            }
        }
        return d;
    }
};

// Geometry of a curve (or, at zero curvature, a line) through the apex `p` with normal `n`.
struct CurveGeometry {
    bool straight = true;
    Vec p, n, tangent, centre;
    double radius = 0, halfAngle = 0, length = 0;

    Vec pointAt(double s) const  // arc length from the apex, signed
    {
        if (straight)
            return p + tangent * s;
        return centre + rotated(n, s / radius) * radius;
    }
    Vec normalAt(double s) const { return straight ? n : rotated(n, s / radius); }
    // Negative on the inside (behind the apex), positive outside.
    double side(Vec q) const { return straight ? dot(q - p, n) : norm(q - centre) - radius; }
};

CurveGeometry curveGeometry(const Stimulus& s, Vec p, double field)
{
    CurveGeometry g;
    g.p = p;
    g.n = direction(s.orientation);
    g.tangent = {-g.n.y, g.n.x};
    g.length = std::max(0.0, s.length) * field;
    if (std::abs(s.curvature) > 1e-6 && s.kind != StimulusKind::Line &&
        s.kind != StimulusKind::Edge) {
        g.straight = false;
        g.radius = field / std::abs(s.curvature);
        if (s.curvature < 0)  // negative curvature bulges the other way
            g.n = g.n * -1.0;
        g.centre = p - g.n * g.radius;
        g.halfAngle = std::min(kPi, g.length / (2 * g.radius));
    }
    return g;
}

Path curvePath(const CurveGeometry& g)
{
    Path path;
    if (g.straight)
        path.segments.push_back({g.pointAt(-g.length / 2), g.pointAt(g.length / 2)});
    else
        path.arcs.push_back({g.centre, g.radius, g.n, g.halfAngle});
    return path;
}

void addComb(Path& path, const CurveGeometry& g, const Stimulus& s, double field)
{
    const double spacing = std::max(1.0, s.combSpacing * field);
    const double half = s.combLength * field / 2;
    const double extent = g.straight ? g.length / 2 : std::min(g.length / 2, kPi * g.radius);
    for (double at = 0; at <= extent + 1e-9; at += spacing) {
        for (const double signedAt : {at, -at}) {
            const Vec c = g.pointAt(signedAt), n = g.normalAt(signedAt);
            path.segments.push_back({c - n * half, c + n * half});
            if (at == 0)
                break;
        }
    }
}

Path anglePath(const Stimulus& s, Vec vertex, double field)
{
    const Vec n = direction(s.orientation);
    const double opening = std::clamp(s.angle, 5.0, 180.0) * kPi / 180;
    const double arm = std::max(0.0, s.length) * field / 2;
    const Vec d1 = rotated(n * -1.0, opening / 2), d2 = rotated(n * -1.0, -opening / 2);
    // The corner is replaced by a fillet tangent to both arms, `rounding` of the way along them.
    const double tangentDistance = std::clamp(s.rounding, 0.0, 1.0) * arm;
    Path path;
    path.segments.push_back({vertex + d1 * tangentDistance, vertex + d1 * arm});
    path.segments.push_back({vertex + d2 * tangentDistance, vertex + d2 * arm});
    if (tangentDistance > 0 && opening < kPi - 1e-6) {
        const double radius = tangentDistance * std::tan(opening / 2);
        const Vec centre = vertex - n * (tangentDistance / std::cos(opening / 2));
        path.arcs.push_back({centre, radius, n, (kPi - opening) / 2});
    }
    return path;
}

unsigned char mix(unsigned char a, unsigned char b, double t)
{
    return static_cast<unsigned char>(std::lround(a + (double(b) - a) * std::clamp(t, 0.0, 1.0)));
}

double parseNumber(const std::string& text, const std::string& context)
{
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v))
        throw Error("'" + text + "' is not a number in '" + context + "'");
    return v;
}

struct ParameterField {
    const char* name;
    double Stimulus::*member;
};
constexpr ParameterField kParameters[] = {
    {"orientation", &Stimulus::orientation},
    {"curvature", &Stimulus::curvature},
    {"length", &Stimulus::length},
    {"width", &Stimulus::width},
    {"angle", &Stimulus::angle},
    {"rounding", &Stimulus::rounding},
    {"comb_length", &Stimulus::combLength},
    {"comb_spacing", &Stimulus::combSpacing},
    {"wavelength", &Stimulus::wavelength},
    {"phase", &Stimulus::phase},
    {"envelope", &Stimulus::envelope},
};

double Stimulus::*parameterMember(const std::string& name)
{
    for (const auto& p : kParameters)
        if (name == p.name)
            return p.member;
    std::string known;
    for (const auto& p : kParameters)
        known += std::string(known.empty() ? "" : ", ") + p.name;
    throw Error("unknown stimulus parameter '" + name + "' (known: " + known + ")");
}

}  // namespace

const char* stimulusKindName(StimulusKind kind)
{
    switch (kind) {
    case StimulusKind::Curve: return "curve";
    case StimulusKind::Line: return "line";
    case StimulusKind::Edge: return "edge";
    case StimulusKind::Angle: return "angle";
    case StimulusKind::Combed: return "combed";
    case StimulusKind::Grating: return "grating";
    }
    return "curve";
}

std::vector<std::string> stimulusKindNames()
{
    return {"curve", "line", "edge", "angle", "combed", "grating"};
}

StimulusKind stimulusKindFromName(const std::string& name)
{
    for (auto kind : {StimulusKind::Curve, StimulusKind::Line, StimulusKind::Edge,
             StimulusKind::Angle, StimulusKind::Combed, StimulusKind::Grating})
        if (name == stimulusKindName(kind))
            return kind;
    throw Error("unknown stimulus '" + name + "' (curve, line, edge, angle, combed or grating)");
}

RgbImage renderStimulus(
    const Stimulus& s, int size, double centreX, double centreY, double fieldSize)
{
    if (size <= 0 || fieldSize <= 0)
        throw Error("a stimulus needs a positive image and field size");
    const Vec p{centreX, centreY};
    const CurveGeometry curve = curveGeometry(s, p, fieldSize);
    Path path;
    bool stroke = true, sides = s.fillSides;
    Rgb insideColour = s.inside, outsideColour = s.outside;
    switch (s.kind) {
    case StimulusKind::Curve:
    case StimulusKind::Line: path = curvePath(curve); break;
    case StimulusKind::Combed:
        path = curvePath(curve);
        addComb(path, curve, s, fieldSize);
        break;
    case StimulusKind::Edge:
        stroke = false;
        if (!sides) {
            sides = true;
            insideColour = s.line;
            outsideColour = s.background;
        }
        break;
    case StimulusKind::Angle:
        path = anglePath(s, p, fieldSize);
        sides = false;  // an angle's "sides" are not defined beyond its arms
        break;
    case StimulusKind::Grating:
        stroke = false;
        sides = false;
        break;
    }
    const double halfWidth = std::max(0.5, s.width * fieldSize / 2);
    const Vec n = direction(s.orientation);
    const double period = std::max(1.0, s.wavelength * fieldSize);
    const double sigma = s.envelope * fieldSize;

    RgbImage out(size, size);
    cv::parallel_for_(cv::Range(0, size), [&](const cv::Range& rows) {
        for (int y = rows.start; y < rows.end; ++y) {
            for (int x = 0; x < size; ++x) {
                const Vec q{double(x), double(y)};
                Rgb colour = s.background;
                if (sides) {
                    const double inside =
                        std::clamp(0.5 - curve.side(q), 0.0, 1.0);  // pixel coverage
                    for (int c = 0; c < 3; ++c)
                        colour[size_t(c)] =
                            mix(outsideColour[size_t(c)], insideColour[size_t(c)], inside);
                }
                if (s.kind == StimulusKind::Grating) {
                    const double wave = 0.5 +
                        0.5 * std::cos(2 * kPi * dot(q - p, n) / period + s.phase * kPi / 180);
                    const Vec r = q - p;
                    const double weight =
                        sigma > 0 ? std::exp(-dot(r, r) / (2 * sigma * sigma)) : 1.0;
                    for (int c = 0; c < 3; ++c)
                        colour[size_t(c)] =
                            mix(s.background[size_t(c)], s.line[size_t(c)], wave * weight);
                }
                if (stroke) {
                    const double coverage =
                        std::clamp(halfWidth + 0.5 - path.distance(q), 0.0, 1.0);
                    for (int c = 0; c < 3; ++c)
                        colour[size_t(c)] = mix(colour[size_t(c)], s.line[size_t(c)], coverage);
                }
                std::copy(colour.begin(), colour.end(), out.pixel(x, y));
            }
        }
    });
    return out;
}

std::vector<std::string> stimulusParameterNames()
{
    std::vector<std::string> names;
    for (const auto& p : kParameters)
        names.push_back(p.name);
    names.push_back("radius");
    return names;
}

// `radius` is the other way to say curvature (in field sizes: radius = 1 / curvature).
double stimulusParameter(const Stimulus& stimulus, const std::string& name)
{
    if (name == "radius")
        return stimulus.curvature != 0 ? 1.0 / stimulus.curvature
                                       : std::numeric_limits<double>::infinity();
    return stimulus.*parameterMember(name);
}

void setStimulusParameter(Stimulus& stimulus, const std::string& name, double value)
{
    if (name == "radius") {
        if (!(value > 0))
            throw Error("a radius must be positive (use curvature=0 for a straight line)");
        stimulus.curvature = 1.0 / value;
        return;
    }
    stimulus.*parameterMember(name) = value;
}

SweepAxis parseSweepAxis(const std::string& text)
{
    const auto equals = text.find('=');
    if (equals == std::string::npos || equals == 0)
        throw Error(
            "a sweep axis is 'parameter=start:stop:step' or 'parameter=value', not '" + text + "'");
    SweepAxis axis;
    axis.parameter = text.substr(0, equals);
    if (axis.parameter != "radius")
        parameterMember(axis.parameter);  // validates the name
    std::vector<std::string> parts;
    std::stringstream in(text.substr(equals + 1));
    for (std::string part; std::getline(in, part, ':');)
        parts.push_back(part);
    if (parts.size() == 1) {
        axis.values.push_back(parseNumber(parts[0], text));
        return axis;
    }
    if (parts.size() != 3)
        throw Error("a sweep axis is 'parameter=start:stop:step', not '" + text + "'");
    const double start = parseNumber(parts[0], text), stop = parseNumber(parts[1], text),
                 step = parseNumber(parts[2], text);
    if (step <= 0 || stop < start)
        throw Error("'" + text + "' needs start <= stop and a positive step");
    const double count = std::floor((stop - start) / step + 1e-9) + 1;
    if (count > 10000)
        throw Error("'" + text + "' has more than 10000 values");
    for (int i = 0; i < int(count); ++i)
        axis.values.push_back(start + i * step);
    // A whole turn of an angle would count its first value twice.
    const bool angular = axis.parameter == "orientation" || axis.parameter == "phase";
    if (angular && axis.values.size() > 1 &&
        std::abs(axis.values.back() - axis.values.front() - 360) < 1e-9)
        axis.values.pop_back();
    return axis;
}

std::vector<SweepAxis> parseSweep(const std::string& text)
{
    std::vector<SweepAxis> axes;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, ',');)
        if (!part.empty())
            axes.push_back(parseSweepAxis(part));
    if (axes.empty())
        throw Error("an empty sweep: give e.g. 'orientation=0:360:5,curvature=0:4:0.25'");
    for (size_t i = 0; i < axes.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (axes[i].parameter == axes[j].parameter)
                throw Error("the sweep names '" + axes[i].parameter + "' twice");
    return axes;
}

std::string sweepAxisText(const SweepAxis& axis)
{
    std::ostringstream out;
    out << axis.parameter << '=';
    for (size_t i = 0; i < axis.values.size(); ++i)
        out << (i ? ";" : "") << axis.values[i];
    return out.str();
}

}  // namespace loupe
