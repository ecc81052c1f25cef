#include "core/edit_evaluation.h"

#include "core/classify.h"
#include "core/error.h"
#include "core/model.h"
#include "core/model_edits.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

namespace loupe {
PhotoHits classifyHits(
    Model& model, const std::vector<LabelledPhoto>& photos, Progress& progress, int batch)
{
    std::vector<RgbImage> images;
    images.reserve(photos.size());
    for (const auto& photo : photos)
        images.push_back(photo.image);
    const auto predictions = classifyImages(model, images, 5, progress, batch);
    PhotoHits hits;
    for (size_t i = 0; i < photos.size(); ++i) {
        const auto& top = predictions[i];
        hits.top1.push_back(!top.empty() && top[0].index == photos[i].klass);
        hits.top5.push_back(std::any_of(top.begin(), top.end(),
            [&](const Prediction& p) { return p.index == photos[i].klass; }));
    }
    return hits;
}

AccuracyComparison compareHits(const PhotoHits& a, const PhotoHits& b,
    const std::vector<LabelledPhoto>& photos, const Model& names)
{
    if (a.top1.size() != photos.size() || b.top1.size() != photos.size())
        throw Error("the hits were not counted on these photos");
    AccuracyComparison result;
    result.images = int(photos.size());
    std::map<int, ClassAccuracyChange> classes;
    for (size_t i = 0; i < photos.size(); ++i) {
        result.top1Before += a.top1[i];
        result.top5Before += a.top5[i];
        result.top1After += b.top1[i];
        result.top5After += b.top5[i];
        auto& c = classes[photos[i].klass];
        c.klass = photos[i].klass;
        c.name = names.classLabel(c.klass);
        c.images += 1;
        c.top1Before += a.top1[i];
        c.top1After += b.top1[i];
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

AccuracyComparison compareAccuracy(Model& before, Model& after,
    const std::vector<LabelledPhoto>& photos, Progress& progress, int batch)
{
    if (photos.empty())
        throw Error("no labelled photos to measure accuracy on");
    const auto stage = [&](double from, double to) {
        return [&progress, from, to](double f, const std::string& text) {
            progress.report(from + (to - from) * f, text);
        };
    };
    Progress first(stage(0.0, 0.5), progress);
    const PhotoHits a = classifyHits(before, photos, first, batch);
    Progress second(stage(0.5, 1.0), progress);
    const PhotoHits b = classifyHits(after, photos, second, batch);
    return compareHits(a, b, photos, before);
}

double RandomUnitControl::meanTop1Drop() const
{
    double sum = 0;
    for (const auto& a : accuracy)
        sum += a.rate(a.top1Before) - a.rate(a.top1After);
    return accuracy.empty() ? 0.0 : sum / double(accuracy.size());
}

RandomUnitControl randomUnitControl(Model& original, const Workspace* scan, const EditList& edits,
    const std::vector<LabelledPhoto>& photos, const PhotoHits& before, int draws,
    std::uint64_t seed, Progress& progress)
{
    std::set<std::string> layers;
    std::vector<int> ablated;
    for (const auto& e : edits.edits) {
        if (e.kind == ModelEdit::Kind::CutWeights)
            throw Error("the random control compares unit ablations; these edits cut kernels");
        layers.insert(original.layer(e.layer).path);
        ablated.push_back(e.channel);
    }
    if (layers.size() != 1)
        throw Error("the random control needs the ablated units in one layer");
    const std::string layer = *layers.begin();
    const ModelEdit::Kind kind = edits.edits.front().kind;
    RandomUnitControl control;
    for (int d = 0; d < draws; ++d) {
        progress.checkCancelled();
        const auto channels = randomChannels(int(original.layer(layer).channels()),
            int(ablated.size()), ablated, seed * 101 + std::uint64_t(d));
        EditList random;
        for (const auto& edit : unitEdits(kind, layer, channels))
            random.add(edit);
        if (kind == ModelEdit::Kind::MeanUnit) {
            if (!scan)
                throw Error("mean ablation reads the dataset scan in the model's workspace");
            fillScanMeans(random, *scan, original);
        }
        auto edited = applyEdits(original, random);
        control.channels.push_back(channels);
        control.accuracy.push_back(
            compareHits(before, classifyHits(*edited, photos, progress), photos, original));
    }
    return control;
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
