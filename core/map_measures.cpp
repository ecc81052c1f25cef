#include "core/map_measures.h"

#include "core/error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace loupe {
namespace {

std::vector<float> absolute(const std::vector<float>& values)
{
    std::vector<float> a(values.size());
    std::transform(values.begin(), values.end(), a.begin(), [](float v) { return std::fabs(v); });
    return a;
}

// Ranks 1..n, ties sharing their mean rank (so a constant series has no variance).
std::vector<double> averageRanks(const std::vector<float>& values)
{
    std::vector<size_t> order(values.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(
        order.begin(), order.end(), [&](size_t i, size_t j) { return values[i] < values[j]; });
    std::vector<double> ranks(values.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]])
            ++j;
        const double mean = (double(i) + double(j)) / 2 + 1;
        for (size_t k = i; k <= j; ++k)
            ranks[order[k]] = mean;
        i = j + 1;
    }
    return ranks;
}

bool isConstant(const std::vector<float>& values)
{
    return std::all_of(values.begin(), values.end(), [&](float v) { return v == values.front(); });
}

// Indices of the `count` largest values (ties by index, so equal maps pick equal pixels).
std::vector<size_t> topIndices(const std::vector<float>& values, size_t count)
{
    std::vector<size_t> order(values.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(
        order.begin(), order.end(), [&](size_t i, size_t j) { return values[i] > values[j]; });
    order.resize(std::min(count, order.size()));
    std::sort(order.begin(), order.end());
    return order;
}

// Wang et al.'s SSIM with the usual 11-pixel Gaussian window (sigma 1.5), on [0, 1] images.
float ssim(const cv::Mat& a, const cv::Mat& b)
{
    constexpr double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
    const auto blur = [](const cv::Mat& m) {
        cv::Mat out;
        cv::GaussianBlur(m, out, cv::Size(11, 11), 1.5);
        return out;
    };
    const cv::Mat muA = blur(a), muB = blur(b);
    const cv::Mat muAA = muA.mul(muA), muBB = muB.mul(muB), muAB = muA.mul(muB);
    const cv::Mat varA = blur(a.mul(a)) - muAA, varB = blur(b.mul(b)) - muBB,
                  cov = blur(a.mul(b)) - muAB;
    cv::Mat numerator = (2 * muAB + c1).mul(2 * cov + c2);
    cv::Mat denominator = (muAA + muBB + c1).mul(varA + varB + c2);
    cv::Mat index;
    cv::divide(numerator, denominator, index);
    return float(cv::mean(index)[0]);
}

cv::Mat scaledMagnitude(const AttributionMap& map)
{
    cv::Mat m(map.height, map.width, CV_64F);
    double largest = 0;
    for (int i = 0; i < map.width * map.height; ++i) {
        m.at<double>(i / map.width, i % map.width) = std::fabs(map.values[size_t(i)]);
        largest = std::max(largest, std::fabs(double(map.values[size_t(i)])));
    }
    return largest > 0 ? m / largest : m;
}

}  // namespace

float giniIndex(const std::vector<float>& values)
{
    std::vector<float> a = absolute(values);
    std::sort(a.begin(), a.end());
    const double n = double(a.size());
    double total = 0, weighted = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        total += a[i];
        weighted += (2.0 * double(i + 1) - n - 1) * a[i];
    }
    return total > 0 ? float(weighted / (n * total)) : 0.f;
}

float normalisedEntropy(const std::vector<float>& values)
{
    if (values.size() < 2)
        return 0;
    double total = 0;
    for (float v : values)
        total += std::fabs(v);
    if (total <= 0)
        return 1;
    double entropy = 0;
    for (float v : values)
        if (const double p = std::fabs(v) / total; p > 0)
            entropy -= p * std::log(p);
    return float(entropy / std::log(double(values.size())));
}

std::optional<float> relativeCompletenessGap(const AttributionMap& map, AttributionMethod method)
{
    if (method == AttributionMethod::IntegratedGradients) {
        const double sum = std::accumulate(map.values.begin(), map.values.end(), 0.0);
        const double explained = double(map.targetValue) - map.baselineValue;
        return float(std::fabs(sum - explained) / std::max(std::fabs(explained), 1e-6));
    }
    if (method == AttributionMethod::FullGrad)
        return float(std::fabs(double(map.explainedValue) - map.targetValue) /
            std::max(std::fabs(double(map.targetValue)), 1e-6));
    return std::nullopt;
}

std::vector<std::uint8_t> boxMask(int width, int height, int x0, int y0, int x1, int y1)
{
    std::vector<std::uint8_t> mask(size_t(std::max(0, width)) * size_t(std::max(0, height)), 0);
    for (int y = std::max(0, y0); y < std::min(height, y1); ++y)
        for (int x = std::max(0, x0); x < std::min(width, x1); ++x)
            mask[size_t(y) * size_t(width) + size_t(x)] = 1;
    return mask;
}

Localisation localise(
    const AttributionMap& map, const std::vector<std::uint8_t>& mask, int tolerance)
{
    if (mask.size() != map.values.size())
        throw Error("the object mask is " + std::to_string(mask.size()) + " pixels, the map " +
            std::to_string(map.values.size()));
    if (std::none_of(mask.begin(), mask.end(), [](std::uint8_t m) { return m != 0; }))
        throw Error("the object mask is empty");
    Localisation out;
    double inside = 0, total = 0;
    size_t peak = 0;
    for (size_t i = 0; i < map.values.size(); ++i) {
        const double positive = std::max(0.f, map.values[i]);
        total += positive;
        if (mask[i])
            inside += positive;
        if (map.values[i] > map.values[peak])
            peak = i;
    }
    out.energyInside = total > 0 ? float(inside / total) : 0.f;
    const int px = int(peak % size_t(map.width)), py = int(peak / size_t(map.width));
    const long limit = long(tolerance) * tolerance;
    for (size_t i = 0; i < mask.size() && !out.pointingHit; ++i) {
        if (!mask[i])
            continue;
        const long dx = long(i % size_t(map.width)) - px, dy = long(i / size_t(map.width)) - py;
        out.pointingHit = dx * dx + dy * dy <= limit;
    }
    return out;
}

float pearson(const std::vector<double>& a, const std::vector<double>& b)
{
    const size_t n = std::min(a.size(), b.size());
    if (n < 2)
        return 0;
    const double ma = std::accumulate(a.begin(), a.begin() + long(n), 0.0) / double(n);
    const double mb = std::accumulate(b.begin(), b.begin() + long(n), 0.0) / double(n);
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? float(sab / std::sqrt(saa * sbb)) : 0.f;
}

MapSimilarity compareMaps(const AttributionMap& a, const AttributionMap& b, float topFraction)
{
    if (a.width != b.width || a.height != b.height || a.values.size() != b.values.size() ||
        a.values.empty())
        throw Error("maps of different sizes cannot be compared");
    const std::vector<float> absA = absolute(a.values), absB = absolute(b.values);
    MapSimilarity s;
    const bool constantA = isConstant(absA), constantB = isConstant(absB);
    if (constantA && constantB)
        s.spearman = 1;
    else if (!constantA && !constantB)
        s.spearman = pearson(averageRanks(absA), averageRanks(absB));
    s.ssim = ssim(scaledMagnitude(a), scaledMagnitude(b));
    const size_t k =
        std::max<size_t>(1, size_t(std::lround(double(topFraction) * double(absA.size()))));
    const auto topA = topIndices(absA, k), topB = topIndices(absB, k);
    std::vector<size_t> common;
    std::set_intersection(
        topA.begin(), topA.end(), topB.begin(), topB.end(), std::back_inserter(common));
    s.topOverlap = float(common.size()) / float(k);
    return s;
}

}  // namespace loupe
