#include "core/superpixels.h"

#include "core/cv_convert.h"
#include "core/error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace loupe {
namespace {

struct Centre {
    double l, a, b, x, y;
};

// Relabels 4-connected fragments and merges those smaller than `minimum` pixels into the
// fragment met just before them in scan order (SLIC's connectivity step).
int enforceConnectivity(std::vector<int>& labels, int width, int height, int minimum)
{
    std::vector<int> out(labels.size(), -1);
    std::vector<int> stack, members;
    int next = 0;
    const int dx[4] = {-1, 1, 0, 0}, dy[4] = {0, 0, -1, 1};
    for (int start = 0; start < width * height; ++start) {
        if (out[size_t(start)] >= 0)
            continue;
        // The label of an already relabelled neighbour, for merging a small fragment.
        int adjacent = -1;
        for (int k = 0; k < 4 && adjacent < 0; ++k) {
            const int x = start % width + dx[k], y = start / width + dy[k];
            if (x >= 0 && y >= 0 && x < width && y < height && out[size_t(y * width + x)] >= 0)
                adjacent = out[size_t(y * width + x)];
        }
        members.clear();
        stack.assign(1, start);
        out[size_t(start)] = next;
        while (!stack.empty()) {
            const int p = stack.back();
            stack.pop_back();
            members.push_back(p);
            for (int k = 0; k < 4; ++k) {
                const int x = p % width + dx[k], y = p / width + dy[k];
                if (x < 0 || y < 0 || x >= width || y >= height)
                    continue;
                const int q = y * width + x;
                if (out[size_t(q)] < 0 && labels[size_t(q)] == labels[size_t(start)]) {
                    out[size_t(q)] = next;
                    stack.push_back(q);
                }
            }
        }
        if (int(members.size()) < minimum && adjacent >= 0) {
            for (int p : members)
                out[size_t(p)] = adjacent;
        } else {
            ++next;
        }
    }
    labels = std::move(out);
    return next;
}

}  // namespace

Superpixels slicSuperpixels(const RgbImage& image, int wanted, double compactness)
{
    if (image.empty())
        throw Error("superpixels of an empty image");
    if (wanted < 1)
        throw Error("at least one superpixel is needed");
    const int width = image.width, height = image.height;
    cv::Mat rgb;
    rgbMatView(image).convertTo(rgb, CV_32FC3, 1.0 / 255.0);
    cv::Mat lab;
    cv::cvtColor(rgb, lab, cv::COLOR_RGB2Lab);

    const double step = std::max(1.0, std::sqrt(double(width) * height / wanted));
    std::vector<Centre> centres;
    for (double y = step / 2; y < height; y += step)
        for (double x = step / 2; x < width; x += step) {
            const auto c = lab.at<cv::Vec3f>(int(y), int(x));
            centres.push_back({c[0], c[1], c[2], x, y});
        }
    const size_t pixels = size_t(width) * size_t(height);
    std::vector<int> labels(pixels, 0);
    std::vector<double> distance(pixels);
    const double spatialWeight = (compactness / step) * (compactness / step);
    const int window = int(std::ceil(step));
    for (int iteration = 0; iteration < 10; ++iteration) {
        std::fill(distance.begin(), distance.end(), std::numeric_limits<double>::max());
        for (size_t k = 0; k < centres.size(); ++k) {
            const Centre& c = centres[k];
            const int x0 = std::max(0, int(c.x) - window),
                      x1 = std::min(width, int(c.x) + window + 1);
            const int y0 = std::max(0, int(c.y) - window),
                      y1 = std::min(height, int(c.y) + window + 1);
            for (int y = y0; y < y1; ++y) {
                const auto* row = lab.ptr<cv::Vec3f>(y);
                for (int x = x0; x < x1; ++x) {
                    const double dl = row[x][0] - c.l, da = row[x][1] - c.a, db = row[x][2] - c.b;
                    const double sx = x - c.x, sy = y - c.y;
                    const double d =
                        dl * dl + da * da + db * db + (sx * sx + sy * sy) * spatialWeight;
                    const size_t p = size_t(y) * size_t(width) + size_t(x);
                    if (d < distance[p]) {
                        distance[p] = d;
                        labels[p] = int(k);
                    }
                }
            }
        }
        std::vector<Centre> sums(centres.size(), Centre{0, 0, 0, 0, 0});
        std::vector<int> counts(centres.size(), 0);
        for (int y = 0; y < height; ++y) {
            const auto* row = lab.ptr<cv::Vec3f>(y);
            for (int x = 0; x < width; ++x) {
                const int k = labels[size_t(y) * size_t(width) + size_t(x)];
                sums[size_t(k)].l += row[x][0];
                sums[size_t(k)].a += row[x][1];
                sums[size_t(k)].b += row[x][2];
                sums[size_t(k)].x += x;
                sums[size_t(k)].y += y;
                ++counts[size_t(k)];
            }
        }
        for (size_t k = 0; k < centres.size(); ++k)
            if (counts[k] > 0) {
                const double n = counts[k];
                centres[k] = {
                    sums[k].l / n, sums[k].a / n, sums[k].b / n, sums[k].x / n, sums[k].y / n};
            }
    }
    Superpixels out;
    out.width = width;
    out.height = height;
    const int minimum = std::max(1, int(step * step / 4));
    out.count = enforceConnectivity(labels, width, height, minimum);
    out.labels = std::move(labels);
    return out;
}

}  // namespace loupe
