// Network dissection: the parts without tensors (quantiles, detector counts, the stored form,
// drawing an example). The pass over the folder is in torch/dissection.cpp.
#include "core/dissection.h"

#include "core/binary_io.h"
#include "core/error.h"
#include "core/unit_statistics.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <set>

namespace loupe {

float upperQuantile(const Histogram& histogram, double share)
{
    const auto& counts = histogram.counts();
    const double total = double(histogram.total());
    if (total <= 0)
        return 0.f;
    const double wanted = std::clamp(share, 0.0, 1.0) * total;
    double above = 0;
    for (int bin = Histogram::kBins - 1; bin >= 0; --bin) {
        const double n = double(counts[size_t(bin)]);
        if (n > 0 && above + n >= wanted) {
            const double inside = (wanted - above) / n;  // share of this bin above the level
            return float(Histogram::binHigh(bin) -
                inside * (Histogram::binHigh(bin) - Histogram::binLow(bin)));
        }
        above += n;
    }
    return Histogram::binLow(0);
}

std::vector<CategoryDetectors> DissectionResult::detectorsPerCategory() const
{
    std::vector<CategoryDetectors> out;
    std::vector<std::set<int>> detected;
    for (const auto& c : concepts)
        if (std::none_of(
                out.begin(), out.end(), [&](const auto& d) { return d.category == c.category; })) {
            out.push_back({c.category, 0, 0});
            detected.emplace_back();
        }
    for (const auto& u : units) {
        if (!isDetector(u))
            continue;
        const auto& category = concepts[size_t(u.concept)].category;
        for (size_t i = 0; i < out.size(); ++i)
            if (out[i].category == category) {
                ++out[i].units;
                detected[i].insert(u.concept);
            }
    }
    for (size_t i = 0; i < out.size(); ++i)
        out[i].uniqueConcepts = int(detected[i].size());
    return out;
}

RgbImage drawDissectionExample(const DissectionExample& example)
{
    RgbImage out = example.view;
    if (out.empty() || example.maskSize <= 0)
        return out;
    cv::Mat view(out.height, out.width, CV_8UC3, out.pixels.data());
    const auto outline = [&](const std::vector<std::uint8_t>& mask, cv::Scalar colour) {
        cv::Mat small(
            example.maskSize, example.maskSize, CV_8U, const_cast<std::uint8_t*>(mask.data())),
            large;
        cv::resize(small, large, view.size(), 0, 0, cv::INTER_NEAREST);
        std::vector<std::vector<cv::Point>> contours;
        cv::findContours(large, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
        cv::drawContours(view, contours, -1, colour, std::max(1, out.width / 112), cv::LINE_AA);
    };
    outline(example.conceptMask, cv::Scalar(0, 230, 255));  // RGB cyan
    outline(example.unitRegion, cv::Scalar(255, 220, 0));  // RGB yellow
    return out;
}

namespace {
constexpr std::uint32_t kMagic = 0x4C445331;  // "LDS1"
}

std::string serializeDissection(const DissectionResult& r)
{
    BinaryWriter w;
    w.put(kMagic);
    w.putString(r.modelHash);
    w.putString(r.layer);
    w.putString(r.folder);
    w.put(std::int32_t(r.maskSize));
    w.put(r.quantile);
    w.put(r.detectorIoU);
    w.put(std::uint8_t(r.thresholdsFromScan));
    w.putStrings(r.images);
    w.put(std::uint64_t(r.skipped.size()));
    for (const auto& s : r.skipped) {
        w.putString(s.path);
        w.putString(s.reason);
    }
    w.put(std::uint64_t(r.concepts.size()));
    for (const auto& c : r.concepts) {
        w.putString(c.name);
        w.putString(c.category);
    }
    w.put(std::uint64_t(r.units.size()));
    for (const auto& u : r.units) {
        w.put(std::int32_t(u.unit));
        w.put(std::int32_t(u.concept));
        w.put(u.iou);
        w.put(std::int32_t(u.runnerUp));
        w.put(u.runnerUpIoU);
        w.put(u.threshold);
        w.putVector(u.topImages);
    }
    w.putVector(r.iou);
    w.putVector(r.conceptPixels);
    w.put(r.seconds);
    return w.out;
}

DissectionResult deserializeDissection(const std::string& bytes)
{
    BinaryReader in(bytes, "stored dissection");
    if (in.get<std::uint32_t>() != kMagic)
        throw Error("stored dissection: unknown format");
    DissectionResult r;
    r.modelHash = in.getString();
    r.layer = in.getString();
    r.folder = in.getString();
    r.maskSize = in.get<std::int32_t>();
    r.quantile = in.get<double>();
    r.detectorIoU = in.get<double>();
    r.thresholdsFromScan = in.get<std::uint8_t>() != 0;
    r.images = in.getStrings();
    const auto skipped = in.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < skipped && i < bytes.size(); ++i) {
        SkippedImage s;
        s.path = in.getString();
        s.reason = in.getString();
        r.skipped.push_back(std::move(s));
    }
    const auto concepts = in.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < concepts && i < bytes.size(); ++i) {
        Concept c;
        c.name = in.getString();
        c.category = in.getString();
        r.concepts.push_back(std::move(c));
    }
    const auto units = in.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < units && i < bytes.size(); ++i) {
        UnitDissection u;
        u.unit = in.get<std::int32_t>();
        u.concept = in.get<std::int32_t>();
        u.iou = in.get<float>();
        u.runnerUp = in.get<std::int32_t>();
        u.runnerUpIoU = in.get<float>();
        u.threshold = in.get<float>();
        u.topImages = in.getVector<int>();
        r.units.push_back(std::move(u));
    }
    r.iou = in.getVector<float>();
    r.conceptPixels = in.getVector<std::uint64_t>();
    r.seconds = in.get<double>();
    if (r.iou.size() != r.units.size() * r.concepts.size() ||
        r.conceptPixels.size() != r.concepts.size())
        throw Error("stored dissection: inconsistent sizes");
    for (const auto& u : r.units)
        if (u.concept >= int(r.concepts.size()) || u.runnerUp >= int(r.concepts.size()))
            throw Error("stored dissection: a concept index out of range");
    return r;
}

}  // namespace loupe
