#include "core/semantic_dictionary.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>

namespace loupe {
namespace {

// The crop: scale from original to resized, and the offset of the centre crop.
struct CropGeometry {
    double scale;
    double offsetX;
    double offsetY;
};

CropGeometry cropGeometry(int w, int h, int size)
{
    const double scale = double(size) / std::min(w, h);
    const double rw = std::max<double>(size, std::lround(w * scale));
    const double rh = std::max<double>(size, std::lround(h * scale));
    return {scale, std::floor((rw - size) / 2), std::floor((rh - size) / 2)};
}

}  // namespace

CellRange cellsForBox(int imageWidth, int imageHeight, int inputSize, int layerWidth,
    int layerHeight, double x, double y, double boxWidth, double boxHeight)
{
    if (imageWidth <= 0 || imageHeight <= 0)
        throw Error("there is no image");
    if (layerWidth <= 1 && layerHeight <= 1)
        throw Error("this layer has no spatial extent: every position sees the whole image (pick a "
                    "convolutional layer)");
    if (x < 0 || y < 0 || x >= imageWidth || y >= imageHeight)
        throw Error("the point (" + std::to_string(int(x)) + ", " + std::to_string(int(y)) +
            ") is outside the " + std::to_string(imageWidth) + "x" + std::to_string(imageHeight) +
            " image");
    const CropGeometry g = cropGeometry(imageWidth, imageHeight, inputSize);
    const auto toCellX = [&](double px) {
        return (px * g.scale - g.offsetX) / inputSize * layerWidth;
    };
    const auto toCellY = [&](double py) {
        return (py * g.scale - g.offsetY) / inputSize * layerHeight;
    };
    const double ax = toCellX(x), ay = toCellY(y);
    const double bx = toCellX(std::min<double>(imageWidth, x + std::max(0.0, boxWidth)));
    const double by = toCellY(std::min<double>(imageHeight, y + std::max(0.0, boxHeight)));
    if (bx < 0 || by < 0 || ax >= layerWidth || ay >= layerHeight)
        throw Error("that part of the image is cut away by the model's centre crop");
    CellRange r;
    r.x0 = std::clamp(int(std::floor(ax)), 0, layerWidth - 1);
    r.y0 = std::clamp(int(std::floor(ay)), 0, layerHeight - 1);
    r.x1 = std::clamp(int(std::ceil(bx)) - (boxWidth > 0 ? 1 : 0), r.x0, layerWidth - 1);
    r.y1 = std::clamp(int(std::ceil(by)) - (boxHeight > 0 ? 1 : 0), r.y0, layerHeight - 1);
    if (boxWidth <= 0)
        r.x1 = r.x0;
    if (boxHeight <= 0)
        r.y1 = r.y0;
    return r;
}

ImageRect imageRectOfCell(int imageWidth, int imageHeight, int inputSize, int layerWidth,
    int layerHeight, int cellX, int cellY)
{
    const CropGeometry g = cropGeometry(imageWidth, imageHeight, inputSize);
    const double cw = double(inputSize) / layerWidth, ch = double(inputSize) / layerHeight;
    return {(cellX * cw + g.offsetX) / g.scale, (cellY * ch + g.offsetY) / g.scale, cw / g.scale,
        ch / g.scale};
}

namespace {

// Entries of the non-zero means (per channel or per concept), strongest first, the first k of
// them (all when k <= 0), each with its share of the summed means.
std::vector<DictionaryEntry> strongestFirst(const std::vector<float>& means, int k)
{
    std::vector<DictionaryEntry> entries;
    double total = 0;
    for (size_t i = 0; i < means.size(); ++i) {
        total += means[i];
        if (means[i] > 0)
            entries.push_back({int(i), means[i], 0});
    }
    std::sort(
        entries.begin(), entries.end(), [](const DictionaryEntry& l, const DictionaryEntry& r) {
            return l.value != r.value ? l.value > r.value : l.channel < r.channel;
        });
    if (k > 0 && int(entries.size()) > k)
        entries.resize(size_t(k));
    for (auto& e : entries)
        e.share = total > 0 ? float(e.value / total) : 0.f;
    return entries;
}

void checkRegion(const LayerActivations& a, const CellRange& cells)
{
    if (cells.x0 < 0 || cells.y0 < 0 || cells.x1 >= a.width || cells.y1 >= a.height)
        throw Error("the region is outside the layer's grid");
}

}  // namespace

std::vector<DictionaryEntry> semanticDictionary(
    const LayerActivations& a, const CellRange& cells, int k)
{
    if (a.width <= 1 && a.height <= 1)
        throw Error("layer '" + a.layer +
            "' has no spatial extent, so a region has no dictionary of its own");
    checkRegion(a, cells);
    const int count = (cells.x1 - cells.x0 + 1) * (cells.y1 - cells.y0 + 1);
    std::vector<float> means(size_t(a.channels));
    for (int c = 0; c < a.channels; ++c) {
        const float* map = a.values.data() + size_t(c) * a.width * a.height;
        double sum = 0;
        for (int y = cells.y0; y <= cells.y1; ++y)
            for (int x = cells.x0; x <= cells.x1; ++x)
                sum += std::max(
                    0.f, map[size_t(y) * a.width + x]);  // post-ReLU even if the view is pre-ReLU
        means[size_t(c)] = float(sum / count);
    }
    return strongestFirst(means, k);
}

std::vector<DictionaryEntry> conceptDictionary(
    const LayerActivations& a, const CellRange& cells, const SparseDictionary& dictionary, int k)
{
    if (a.channels != dictionary.dimensions)
        throw Error("the concept dictionary was learned on " +
            std::to_string(dictionary.dimensions) + " channels; '" + a.layer + "' has " +
            std::to_string(a.channels));
    checkRegion(a, cells);
    VectorSet vectors;
    vectors.dimensions = a.channels;
    const size_t plane = size_t(a.width) * size_t(a.height);
    for (int y = cells.y0; y <= cells.y1; ++y)
        for (int x = cells.x0; x <= cells.x1; ++x)
            for (int c = 0; c < a.channels; ++c)
                vectors.values.push_back(
                    std::max(0.f, a.values[size_t(c) * plane + size_t(y) * a.width + x]));
    const std::vector<float> codes = encodeVectors(dictionary, vectors);
    const auto count = vectors.count();
    std::vector<float> means(size_t(dictionary.atoms));
    for (int concept = 0; concept < dictionary.atoms; ++concept) {
        double sum = 0;
        for (std::int64_t v = 0; v < count; ++v)
            sum += codes[size_t(v) * size_t(dictionary.atoms) + size_t(concept)];
        means[size_t(concept)] = float(sum / double(count));
    }
    return strongestFirst(means, k);
}

}  // namespace loupe
