// The differentiable stroke renderer and the fit. A pixel's coverage is a sigmoid of its
// distance to the polyline through the spline's samples (the nearest of its segments), so
// the gradient moves control points towards where the field is high. The objective is the
// line integral of (field - level) under the stroke: a stroke grows along a ridge and stops
// where the ridge fades, instead of shrinking onto the single brightest pixel.

#include "core/spline_trace.h"

#include "core/error.h"
#include "core/torch/tensor_image.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace loupe {
namespace {

constexpr int kSamplesPerSpan = 8;

// Samples = basis x control points, for K control points (ends tripled, as SplineStroke).
torch::Tensor basisMatrix(int controlPoints)
{
    const int extended = controlPoints + 4;
    const int spans = extended - 3;
    const int samples = spans * kSamplesPerSpan + 1;
    auto basis = torch::zeros({samples, controlPoints}, torch::kFloat64);
    auto b = basis.accessor<double, 2>();
    const auto original = [&](int e) { return std::clamp(e - 2, 0, controlPoints - 1); };
    for (int span = 0; span < spans; ++span)
        for (int i = 0; i < kSamplesPerSpan; ++i) {
            const double t = double(i) / kSamplesPerSpan, t2 = t * t, t3 = t2 * t;
            const double w[4] = {(1 - t) * (1 - t) * (1 - t) / 6, (3 * t3 - 6 * t2 + 4) / 6,
                (-3 * t3 + 3 * t2 + 3 * t + 1) / 6, t3 / 6};
            for (int k = 0; k < 4; ++k)
                b[span * kSamplesPerSpan + i][original(span + k)] += w[k];
        }
    b[samples - 1][controlPoints - 1] = 1.0;
    return basis.to(torch::kFloat32);
}

// Distance from every pixel centre (P x 2) to the polyline through `points` (T x 2).
torch::Tensor distanceToPolyline(const torch::Tensor& pixels, const torch::Tensor& points)
{
    const auto a = points.slice(0, 0, -1);  // S x 2
    const auto ab = points.slice(0, 1) - a;
    const auto length2 = (ab * ab).sum(1).clamp_min(1e-6);  // S
    const auto ap = pixels.unsqueeze(1) - a.unsqueeze(0);  // P x S x 2
    const auto t = ((ap * ab.unsqueeze(0)).sum(2) / length2).clamp(0, 1);  // P x S
    const auto nearest = ap - t.unsqueeze(2) * ab.unsqueeze(0);
    const auto d2 = (nearest * nearest).sum(2);
    return (std::get<0>(d2.min(1)) + 1e-6).sqrt();
}

torch::Tensor pixelCentres(int width, int height, int x0 = 0, int y0 = 0)
{
    const auto ys = torch::arange(y0, y0 + height, torch::kFloat32);
    const auto xs = torch::arange(x0, x0 + width, torch::kFloat32);
    const auto grid = torch::meshgrid({ys, xs}, "ij");
    return torch::stack({grid[1].flatten(), grid[0].flatten()}, 1);
}

torch::Tensor coverage(
    const torch::Tensor& pixels, const torch::Tensor& points, double width, double softness)
{
    return torch::sigmoid((width / 2 - distanceToPolyline(pixels, points)) / softness);
}

torch::Tensor toTensor(const FloatMap& map)
{
    return torch::from_blob(
        const_cast<float*>(map.values.data()), {map.height, map.width}, torch::kFloat32)
        .clone();
}

torch::Tensor blurred(const torch::Tensor& field, double sigma)
{
    return gaussianBlur(field.unsqueeze(0).unsqueeze(0), sigma).squeeze(0).squeeze(0);
}

// A straight start across the field's strongest point, along its ridge: the principal axis of
// the field's mass in a window around the peak.
std::vector<Point2> initialPoints(const torch::Tensor& field, int count, double span)
{
    const int height = int(field.size(0)), width = int(field.size(1));
    const int64_t peak = field.flatten().argmax().item<int64_t>();
    const double px = double(peak % width), py = double(peak / width);
    const int r = int(span / 2);
    double m = 0, mx = 0, my = 0;
    auto f = field.accessor<float, 2>();
    for (int y = std::max(0, int(py) - r); y <= std::min(height - 1, int(py) + r); ++y)
        for (int x = std::max(0, int(px) - r); x <= std::min(width - 1, int(px) + r); ++x) {
            const double w = std::max(0.f, f[y][x]);
            m += w;
            mx += w * x;
            my += w * y;
        }
    const double cx = m > 0 ? mx / m : px, cy = m > 0 ? my / m : py;
    double sxx = 0, syy = 0, sxy = 0;
    for (int y = std::max(0, int(py) - r); y <= std::min(height - 1, int(py) + r); ++y)
        for (int x = std::max(0, int(px) - r); x <= std::min(width - 1, int(px) + r); ++x) {
            const double w = std::max(0.f, f[y][x]);
            sxx += w * (x - cx) * (x - cx);
            syy += w * (y - cy) * (y - cy);
            sxy += w * (x - cx) * (y - cy);
        }
    const double angle = 0.5 * std::atan2(2 * sxy, sxx - syy);
    const double dx = std::cos(angle), dy = std::sin(angle);
    std::vector<Point2> points;
    for (int i = 0; i < count; ++i) {
        const double s = (double(i) / (count - 1) - 0.5) * span * 0.5;
        points.push_back({px + s * dx, py + s * dy});
    }
    return points;
}

}  // namespace

std::vector<SplineStroke> traceSplines(
    const FloatMap& field, const FloatMap* penalty, const TraceConfig& config, Progress& progress)
{
    if (field.width <= 1 || field.height <= 1 ||
        field.values.size() != size_t(field.width) * size_t(field.height))
        throw Error("spline tracing needs a field (a curve map) to trace");
    if (penalty &&
        (penalty->width != field.width || penalty->height != field.height ||
            penalty->values.size() != field.values.size()))
        throw Error("the penalty map must have the curve map's size");
    if (config.controlPoints < 2 || config.strokes < 1 || config.width <= 0 || config.softness <= 0)
        throw Error("a stroke needs at least 2 control points, a width and a softness");
    torch::NoGradGuard outer;  // only the control points need gradients
    const auto pixels = pixelCentres(field.width, field.height);
    const auto basis = basisMatrix(config.controlPoints);
    auto remaining = toTensor(field).clamp(0, 1);
    const auto cost = penalty ? toTensor(*penalty).clamp(0, 1).flatten() : torch::Tensor();
    const double span = std::min(field.width, field.height) / 6.0;

    std::vector<SplineStroke> strokes;
    for (int s = 0; s < config.strokes; ++s) {
        if (remaining.max().item<float>() <= config.level)
            break;  // nothing left worth a stroke
        // Start where the field is strongest net of the penalty, so a stroke is not begun on a
        // ridge it may not cross.
        auto net = remaining;
        if (cost.defined())
            net = (remaining - config.crossingPenalty * cost.view_as(remaining)).clamp_min(0);
        const auto start = initialPoints(blurred(net, 2.0), config.controlPoints, span);
        auto controls = torch::empty({config.controlPoints, 2}, torch::kFloat32);
        for (int i = 0; i < config.controlPoints; ++i) {
            controls[i][0] = float(start[size_t(i)][0]);
            controls[i][1] = float(start[size_t(i)][1]);
        }
        controls.set_requires_grad(true);
        torch::optim::Adam adam({controls}, torch::optim::AdamOptions(config.learningRate));
        // Coarse to fine: a wide field first draws the stroke onto the ridge, the sharp one
        // then places it.
        const auto coarse = blurred(remaining, 3.0) - config.level;
        const auto fine = blurred(remaining, 1.0) - config.level;
        const auto cost2d = cost.defined() ? cost.view_as(remaining) : torch::Tensor();
        // Coverage is ~0 beyond this distance from the curve: only pixels in the curve's box
        // grown by it are drawn (the whole field would cost ten times more per step).
        const double reach = config.width / 2 + 10 * config.softness + 2;
        for (int step = 0; step < config.steps; ++step) {
            progress.checkCancelled();
            torch::AutoGradMode grad(true);
            const auto& gain = step < config.steps / 2 ? coarse : fine;
            const auto points = basis.matmul(controls);
            const auto low = std::get<0>(points.detach().min(0));
            const auto high = std::get<0>(points.detach().max(0));
            const int x0 = std::max(0, int(std::floor(low[0].item<float>() - reach)));
            const int y0 = std::max(0, int(std::floor(low[1].item<float>() - reach)));
            const int x1 = std::min(field.width - 1, int(std::ceil(high[0].item<float>() + reach)));
            const int y1 =
                std::min(field.height - 1, int(std::ceil(high[1].item<float>() + reach)));
            const auto box = [&](const torch::Tensor& t) {
                return t.slice(0, y0, y1 + 1).slice(1, x0, x1 + 1).flatten();
            };
            const auto cover = coverage(pixelCentres(x1 - x0 + 1, y1 - y0 + 1, x0, y0), points,
                config.width, config.softness);
            auto loss = -(cover * box(gain)).sum() / config.width;
            if (cost.defined())
                loss = loss + config.crossingPenalty * (cover * box(cost2d)).sum() / config.width;
            const auto second =
                controls.slice(0, 2) - 2 * controls.slice(0, 1, -1) + controls.slice(0, 0, -2);
            loss = loss + config.smoothness * (second * second).sum();
            // Even spacing of the control points keeps the spans comparable.
            const auto gaps = (controls.slice(0, 1) - controls.slice(0, 0, -1)).norm(2, 1);
            loss = loss + 0.1 * ((gaps - gaps.mean()).pow(2)).sum();
            adam.zero_grad();
            loss.backward();
            adam.step();
            {
                torch::NoGradGuard clampOnly;
                controls.select(1, 0).clamp_(0, field.width - 1);
                controls.select(1, 1).clamp_(0, field.height - 1);
            }
            if (step % 10 == 0)
                progress.report((s + double(step) / config.steps) / config.strokes,
                    "stroke " + std::to_string(s + 1) + ", step " + std::to_string(step));
        }
        SplineStroke stroke;
        stroke.width = config.width;
        stroke.softness = config.softness;
        const auto fitted = controls.detach();
        for (int i = 0; i < config.controlPoints; ++i)
            stroke.controlPoints.push_back(
                {double(fitted[i][0].item<float>()), double(fitted[i][1].item<float>())});
        const auto cover = coverage(pixels, basis.matmul(fitted), config.width, config.softness);
        const auto flat = remaining.flatten();
        stroke.score = ((cover * flat).sum() / cover.sum().clamp_min(1e-6)).item<double>();
        strokes.push_back(stroke);
        // What this stroke explains is not traced again.
        const auto widened =
            coverage(pixels, basis.matmul(fitted), config.width * 3, config.softness);
        remaining = (flat * (1 - widened)).view_as(remaining);
    }
    progress.report(1.0, "traced " + std::to_string(strokes.size()) + " strokes");
    return strokes;
}

FloatMap renderStrokes(const std::vector<SplineStroke>& strokes, int width, int height)
{
    torch::NoGradGuard noGrad;
    const auto pixels = pixelCentres(width, height);
    auto total = torch::zeros({int64_t(width) * height}, torch::kFloat32);
    for (const auto& stroke : strokes) {
        if (stroke.controlPoints.size() < 2)
            continue;
        const auto basis = basisMatrix(int(stroke.controlPoints.size()));
        auto controls = torch::empty({int64_t(stroke.controlPoints.size()), 2}, torch::kFloat32);
        for (size_t i = 0; i < stroke.controlPoints.size(); ++i) {
            controls[int64_t(i)][0] = float(stroke.controlPoints[i][0]);
            controls[int64_t(i)][1] = float(stroke.controlPoints[i][1]);
        }
        total = torch::maximum(
            total, coverage(pixels, basis.matmul(controls), stroke.width, stroke.softness));
    }
    FloatMap map;
    map.width = width;
    map.height = height;
    map.values.assign(total.data_ptr<float>(), total.data_ptr<float>() + total.numel());
    return map;
}

}  // namespace loupe
