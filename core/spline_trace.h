#pragma once
// Spline tracing (Curve Detectors, "spline parameterization"): strokes of a cubic B-spline,
// drawn by a differentiable renderer, whose control points are optimised so that each stroke
// lies along the ridges of a field — the family's curve map of a photo — and avoids a penalty
// field (the attribution of a texture or class the user does not want the strokes to cross).

#include "core/image.h"
#include "core/json.h"
#include "core/progress.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

using Point2 = std::array<double, 2>;  // x, y in pixels of the field

// A uniform cubic B-spline whose end control points are tripled, so the curve starts at the
// first control point and ends at the last.
struct SplineStroke {
    std::vector<Point2> controlPoints;
    double width = 3;  // pixels
    double softness = 0.75;  // pixels over which the stroke's edge fades
    double score = 0;  // mean field value along the stroke after fitting

    // Points along the curve, `perSpan` per span (the first control point first).
    std::vector<Point2> samples(int perSpan = 16) const;
    double length() const;
    // The same curve as SVG cubic Béziers: "M x y C x1 y1 x2 y2 x y ...".
    std::string svgPath() const;
};

struct TraceConfig {
    int strokes = 1;
    int controlPoints = 6;
    double width = 3;
    double softness = 0.75;
    int steps = 250;
    // A stroke gains (field - level) per pixel of its length: it grows along a ridge while the
    // field is above `level` (fields are expected in [0, 1]).
    double level = 0.2;
    double smoothness = 0.02;  // weight of the control polygon's squared second differences
    double crossingPenalty = 2.0;  // weight of the penalty field under the stroke
    double learningRate = 0.6;  // pixels per step (Adam)
};

// Fits strokes one after another, each starting across the strongest part of the field the
// earlier strokes left (the field under them is removed). `penalty` may be null or the
// field's size. Deterministic. Throws loupe::Error for an empty field or mismatched sizes;
// loupe::Cancelled between steps.
std::vector<SplineStroke> traceSplines(
    const FloatMap& field, const FloatMap* penalty, const TraceConfig& config, Progress& progress);

// The strokes' coverage (0..1) as the differentiable renderer draws it.
FloatMap renderStrokes(const std::vector<SplineStroke>& strokes, int width, int height);

// The strokes drawn over an image (control polygon and points included), for display.
RgbImage drawStrokes(
    const RgbImage& image, const std::vector<SplineStroke>& strokes, bool showControlPoints = true);

// Export: an SVG of the strokes (paths in field pixels, over the image file `backgroundHref`
// when given, e.g. the PNG written beside it) and the strokes as JSON (control points, width,
// softness, score, SVG path).
std::string strokesSvg(const std::vector<SplineStroke>& strokes, int width, int height,
    const std::string& backgroundHref = {});
Json strokesJson(const std::vector<SplineStroke>& strokes, int width, int height);

}  // namespace loupe
