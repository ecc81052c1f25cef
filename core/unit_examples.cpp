#include "core/unit_examples.h"
#include "core/thread_budget.h"

#include "core/dataset_scan.h"
#include "core/error.h"
#include "core/image_folder.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

namespace loupe {
namespace {

// Every image the examples name, decoded once each on all cores (a unit's page names up to 64
// examples, often several from the same image). Images that changed or vanished since the scan
// are missing from the map.
std::map<int, RgbImage> decodeExampleImages(
    const ScanResults& scan, const std::vector<Example>& examples)
{
    std::vector<int> ids;
    for (const auto& e : examples)
        if (e.image >= 0 && size_t(e.image) < scan.images.size())
            ids.push_back(e.image);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::vector<std::string> files;
    for (int id : ids)
        files.push_back(scan.images[size_t(id)]);
    const int threads = threadBudget();
    std::map<int, RgbImage> decoded;
    for (auto& d : decodeImages(scan.folder, files, 0, files.size(), scan.inputSize, threads))
        if (d.error.empty())
            decoded[ids[size_t(d.index)]] = std::move(d.image);
    return decoded;
}

std::vector<ExampleTile> tiles(const ScanResults& scan, const std::vector<Example>& examples,
    const ReceptiveField& field, bool whole, int tileSize, const std::map<int, RgbImage>& decoded)
{
    std::vector<ExampleTile> out;
    for (const auto& e : examples) {
        ExampleTile t;
        t.path = scan.images.at(size_t(e.image));
        t.value = e.value;
        t.x = e.x;
        t.y = e.y;
        const auto image = decoded.find(e.image);
        t.image = image != decoded.end()
            ? exampleImage(image->second, scan.inputSize, field, e.x, e.y, whole, tileSize)
            : RgbImage(tileSize, tileSize);  // the file changed or vanished since the scan
        out.push_back(std::move(t));
    }
    return out;
}

// The layer's receptive field from the scan; without one, the whole input.
ReceptiveField fieldOf(const ScanResults& scan, const std::string& layer)
{
    if (auto f = scan.receptiveFields.find(layer); f != scan.receptiveFields.end())
        return f->second;
    ReceptiveField field;
    field.size = scan.inputSize;
    field.stride = scan.inputSize;
    field.offset = scan.inputSize / 2.0;
    return field;
}

}  // namespace

UnitExamples unitExamples(const Workspace& workspace, const std::string& folder,
    const std::string& layer, int channel, int k, bool wholeImage, int tileSize, int perBand)
{
    return unitExamples(
        loadScan(workspace, folder, {layer}), layer, channel, k, wholeImage, tileSize, perBand);
}

UnitExamples unitExamples(const ScanResults& scan, const std::string& layer, int channel, int k,
    bool wholeImage, int tileSize, int perBand)
{
    const auto it = scan.layers.find(layer);
    if (it == scan.layers.end())
        throw Error("layer '" + layer + "' was not indexed by the scan of '" + scan.folder + "'");
    if (channel < 0 || channel >= int(it->second.size()))
        throw Error("channel " + std::to_string(channel) + " is out of range for '" + layer + "'");
    const ChannelStatistics& s = it->second[size_t(channel)];

    UnitExamples out;
    out.folder = scan.folder;
    out.layer = layer;
    out.channel = channel;
    out.positions = s.count;
    out.fractionActive = s.fractionActive();
    out.mean = s.mean();
    out.standardDeviation = s.standardDeviation();
    for (int b = 0; b < Histogram::kBins; ++b)
        if (const auto n = s.histogram.counts()[size_t(b)])
            out.histogram.push_back({Histogram::binLow(b), Histogram::binHigh(b), n});

    const ReceptiveField field = fieldOf(scan, layer);
    out.receptiveField = field.size;

    auto top = s.top.sorted();
    auto bottom = s.bottom.sorted();
    out.maximum = top.empty() ? 0.f : top.front().value;
    out.minimum = bottom.empty() ? 0.f : bottom.front().value;
    top.resize(std::min(top.size(), size_t(k)));
    bottom.resize(std::min(bottom.size(), size_t(k)));

    const float hi = out.maximum, lo = out.minimum;
    const std::vector<std::pair<float, float>> ranges = {
        {hi / 2, hi}, {0.f, hi / 2}, {lo / 2, 0.f}, {lo, lo / 2}};
    std::vector<std::vector<Example>> bands;
    for (const auto& [from, to] : ranges) {
        std::vector<Example> chosen;
        for (const auto& e : s.reservoir.items())
            if (e.value >= from && (e.value < to || (to == hi && e.value <= to)) &&
                int(chosen.size()) < perBand)
                chosen.push_back(e);
        bands.push_back(std::move(chosen));
        char label[96];
        std::snprintf(label, sizeof label, "[%.3g, %.3g]", double(from), double(to));
        out.bandLabels.push_back(label);
    }

    std::vector<Example> named = top;
    named.insert(named.end(), bottom.begin(), bottom.end());
    for (const auto& band : bands)
        named.insert(named.end(), band.begin(), band.end());
    const auto decoded = decodeExampleImages(scan, named);
    out.top = tiles(scan, top, field, wholeImage, tileSize, decoded);
    out.bottom = tiles(scan, bottom, field, wholeImage, tileSize, decoded);
    for (const auto& band : bands)
        out.bands.push_back(tiles(scan, band, field, wholeImage, tileSize, decoded));
    return out;
}

std::vector<ExampleTile> topExampleOfChannels(const Workspace& workspace, const std::string& layer,
    const std::vector<int>& channels, int tileSize)
{
    const ScanResults scan = loadScan(workspace, {}, {layer});
    std::vector<ExampleTile> out(channels.size());
    const auto it = scan.layers.find(layer);
    if (it == scan.layers.end())
        return out;
    const ReceptiveField field = fieldOf(scan, layer);
    std::vector<Example> best(channels.size(), Example{});
    std::vector<Example> named;
    for (size_t i = 0; i < channels.size(); ++i) {
        if (channels[i] < 0 || channels[i] >= int(it->second.size()))
            continue;
        const auto top = it->second[size_t(channels[i])].top.sorted();
        if (!top.empty() && top.front().value > 0) {
            best[i] = top.front();
            named.push_back(top.front());
        }
    }
    const auto decoded = decodeExampleImages(scan, named);
    for (size_t i = 0; i < channels.size(); ++i)
        if (best[i].value > 0)
            out[i] = tiles(scan, {best[i]}, field, false, tileSize, decoded).front();
    return out;
}

std::vector<DensityPoint> evenDensity(const UnitExamples& examples, int bins)
{
    std::vector<DensityPoint> points;
    if (examples.histogram.empty() || bins <= 0)
        return points;
    const double total = double(std::max<std::uint64_t>(1, examples.positions));
    const double lo = std::min(double(examples.minimum), 0.0),
                 hi = std::max(double(examples.maximum), 0.0);
    const double width = std::max(1e-9, (hi - lo) / bins);
    std::vector<double> counts(size_t(bins), 0.0);
    for (const auto& bin : examples.histogram) {
        const double a = std::clamp(double(bin.low), lo, hi),
                     b = std::clamp(double(bin.high), lo, hi);
        const int first = std::clamp(int((a - lo) / width), 0, bins - 1);
        const int last = std::clamp(int((b - lo) / width), 0, bins - 1);
        if (first == last || b <= a) {
            counts[size_t(first)] += double(bin.count);
            continue;
        }
        for (int i = first; i <= last; ++i) {
            const double overlap = std::min(b, lo + (i + 1) * width) - std::max(a, lo + i * width);
            counts[size_t(i)] += double(bin.count) * std::max(0.0, overlap) / (b - a);
        }
    }
    for (int i = 0; i < bins; ++i)
        points.push_back({lo + (i + 0.5) * width, counts[size_t(i)] / total / width});
    return points;
}

std::string histogramCsv(const UnitExamples& examples)
{
    std::string csv = "low,high,count,density\n";
    const double total = double(std::max<std::uint64_t>(1, examples.positions));
    char line[160];
    for (const HistogramBin& bin : examples.histogram) {
        const double width = std::max(1e-12, double(bin.high) - double(bin.low));
        std::snprintf(line, sizeof line, "%.9g,%.9g,%llu,%.9g\n", double(bin.low), double(bin.high),
            static_cast<unsigned long long>(bin.count), double(bin.count) / total / width);
        csv += line;
    }
    return examples.histogram.empty() ? std::string() : csv;
}

}  // namespace loupe
