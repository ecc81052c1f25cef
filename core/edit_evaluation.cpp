#include "core/edit_evaluation.h"

#include "core/classify.h"
#include "core/error.h"
#include "core/model.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

namespace loupe {
namespace {

// Top-1 and top-5 hits of one model, per photo.
std::vector<std::pair<bool, bool>> hits(Model& model, const std::vector<LabelledPhoto>& photos,
    Progress& progress, int batch, double from, double to)
{
    std::vector<RgbImage> images;
    images.reserve(photos.size());
    for (const auto& photo : photos)
        images.push_back(photo.image);
    Progress scaled(
        [&](double f, const std::string& text) { progress.report(from + (to - from) * f, text); },
        progress);
    const auto predictions = classifyImages(model, images, 5, scaled, batch);
    std::vector<std::pair<bool, bool>> result;
    for (size_t i = 0; i < photos.size(); ++i) {
        const auto& top = predictions[i];
        const bool top1 = !top.empty() && top[0].index == photos[i].klass;
        const bool top5 = std::any_of(top.begin(), top.end(),
            [&](const Prediction& p) { return p.index == photos[i].klass; });
        result.emplace_back(top1, top5);
    }
    return result;
}

}  // namespace

AccuracyComparison compareAccuracy(Model& before, Model& after,
    const std::vector<LabelledPhoto>& photos, Progress& progress, int batch)
{
    if (photos.empty())
        throw Error("no labelled photos to measure accuracy on");
    const auto a = hits(before, photos, progress, batch, 0.0, 0.5);
    const auto b = hits(after, photos, progress, batch, 0.5, 1.0);
    AccuracyComparison result;
    result.images = int(photos.size());
    std::map<int, ClassAccuracyChange> classes;
    for (size_t i = 0; i < photos.size(); ++i) {
        result.top1Before += a[i].first;
        result.top5Before += a[i].second;
        result.top1After += b[i].first;
        result.top5After += b[i].second;
        auto& c = classes[photos[i].klass];
        c.klass = photos[i].klass;
        c.name = before.classLabel(c.klass);
        c.images += 1;
        c.top1Before += a[i].first;
        c.top1After += b[i].first;
    }
    for (const auto& [klass, change] : classes)
        result.classes.push_back(change);
    std::sort(result.classes.begin(), result.classes.end(),
        [](const ClassAccuracyChange& x, const ClassAccuracyChange& y) {
            if (std::abs(x.change()) != std::abs(y.change()))
                return std::abs(x.change()) > std::abs(y.change());
            const double sx = double(std::abs(x.change())) / x.images;
            const double sy = double(std::abs(y.change())) / y.images;
            if (sx != sy)
                return sx > sy;
            return x.klass < y.klass;
        });
    return result;
}

std::vector<int> randomChannels(
    int channels, int count, const std::vector<int>& exclude, std::uint64_t seed)
{
    const std::set<int> excluded(exclude.begin(), exclude.end());
    std::vector<int> pool;
    for (int c = 0; c < channels; ++c)
        if (!excluded.count(c))
            pool.push_back(c);
    if (count < 0 || count > int(pool.size()))
        throw Error("cannot draw " + std::to_string(count) + " random channels from " +
            std::to_string(pool.size()));
    std::mt19937_64 generator(seed);
    std::shuffle(pool.begin(), pool.end(), generator);
    pool.resize(size_t(count));
    std::sort(pool.begin(), pool.end());
    return pool;
}

}  // namespace loupe
