#include "core/unit_examples.h"

#include "core/dataset_scan.h"
#include "core/error.h"
#include "core/image_folder.h"

#include <filesystem>

namespace loupe {
namespace {

std::vector<ExampleTile> tiles(const ScanResults& scan, const std::vector<Example>& examples, const ReceptiveField& field,
                               bool whole, int tileSize)
{
    std::vector<ExampleTile> out;
    for (const auto& e : examples) {
        ExampleTile t;
        t.path = scan.images.at(size_t(e.image));
        t.value = e.value;
        t.x = e.x;
        t.y = e.y;
        try {
            const auto original = decodeImageForModel((std::filesystem::path(scan.folder) / t.path).string(), scan.inputSize);
            t.image = exampleImage(original, scan.inputSize, field, e.x, e.y, whole, tileSize);
        } catch (const Error&) {
            t.image = RgbImage(tileSize, tileSize);  // the file changed or vanished since the scan
        }
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

} // namespace

UnitExamples unitExamples(const Workspace& workspace, const std::string& folder, const std::string& layer, int channel,
                          int k, bool wholeImage, int tileSize, int perBand)
{
    const ScanResults scan = loadScan(workspace, folder, {layer});
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
    out.top = tiles(scan, top, field, wholeImage, tileSize);
    out.bottom = tiles(scan, bottom, field, wholeImage, tileSize);

    const float hi = out.maximum, lo = out.minimum;
    const std::vector<std::pair<float, float>> ranges = {{hi / 2, hi}, {0.f, hi / 2}, {lo / 2, 0.f}, {lo, lo / 2}};
    for (const auto& [from, to] : ranges) {
        std::vector<Example> chosen;
        for (const auto& e : s.reservoir.items())
            if (e.value >= from && (e.value < to || (to == hi && e.value <= to)) && int(chosen.size()) < perBand)
                chosen.push_back(e);
        out.bands.push_back(tiles(scan, chosen, field, wholeImage, tileSize));
        char label[96];
        std::snprintf(label, sizeof label, "[%.3g, %.3g]", double(from), double(to));
        out.bandLabels.push_back(label);
    }
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
    for (size_t i = 0; i < channels.size(); ++i) {
        if (channels[i] < 0 || channels[i] >= int(it->second.size()))
            continue;
        const auto top = it->second[size_t(channels[i])].top.sorted();
        if (!top.empty() && top.front().value > 0)
            out[i] = tiles(scan, {top.front()}, field, false, tileSize).front();
    }
    return out;
}

} // namespace loupe
