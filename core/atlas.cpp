#include "core/atlas.h"

#include "core/colormap.h"
#include "core/cv_convert.h"
#include "core/error.h"
#include "core/featurevis_cache.h"
#include "core/image_folder.h"
#include "core/model.h"
#include "core/thread_budget.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <sstream>

namespace loupe {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int atlasGridFor(int samples)
{
    return std::clamp(int(std::lround(std::sqrt(double(std::max(0, samples)) / 10.0))), 12, 64);
}

std::vector<RgbImage> cellMeanPatches(const Atlas& atlas, const ReceptiveField& field,
    int inputSize, int perCell, int patchSize, Progress& progress)
{
    const ActivationSamples& s = atlas.samples;
    // Which members each cell averages, and which images that needs.
    std::vector<std::vector<int>> chosen(atlas.cells.size());
    std::map<int, std::vector<std::pair<size_t, int>>> byImage;  // image -> (cell, sample)
    for (size_t c = 0; c < atlas.cells.size(); ++c) {
        const auto& members = atlas.cells[c].members;
        const size_t step = std::max<size_t>(1, members.size() / size_t(std::max(1, perCell)));
        for (size_t i = 0; i < members.size() && chosen[c].size() < size_t(perCell); i += step) {
            chosen[c].push_back(members[i]);
            byImage[s.image[size_t(members[i])]].push_back({c, members[i]});
        }
    }
    const size_t pixels = size_t(patchSize) * size_t(patchSize) * 3;
    std::vector<std::vector<float>> sums(atlas.cells.size(), std::vector<float>(pixels, 0.f));
    std::vector<int> counts(atlas.cells.size(), 0);
    std::vector<std::string> files;
    std::vector<int> imageOf;
    for (const auto& entry : byImage) {
        files.push_back(s.images[size_t(entry.first)]);
        imageOf.push_back(entry.first);
    }
    constexpr size_t kChunk = 64;
    for (size_t begin = 0; begin < files.size(); begin += kChunk) {
        progress.checkCancelled();
        progress.report(double(begin) / double(std::max<size_t>(1, files.size())),
            "mean patches: image " + std::to_string(begin) + " of " + std::to_string(files.size()));
        const size_t end = std::min(files.size(), begin + kChunk);
        for (const DecodedImage& d :
            decodeImages(s.folder, files, begin, end, inputSize, threadBudget())) {
            if (!d.error.empty())
                continue;
            for (const auto& [cell, sample] : byImage[imageOf[size_t(d.index)]]) {
                const RgbImage crop = exampleImage(d.image, inputSize, field, s.x[size_t(sample)],
                    s.y[size_t(sample)], false, patchSize);
                for (size_t i = 0; i < pixels; ++i)
                    sums[cell][i] += float(crop.pixels[i]);
                ++counts[cell];
            }
        }
    }
    std::vector<RgbImage> patches;
    for (size_t c = 0; c < atlas.cells.size(); ++c) {
        RgbImage patch(patchSize, patchSize);
        std::fill(patch.pixels.begin(), patch.pixels.end(), 255);
        if (counts[c] > 0)
            for (size_t i = 0; i < pixels; ++i)
                patch.pixels[i] = std::uint8_t(std::lround(sums[c][i] / float(counts[c])));
        patches.push_back(std::move(patch));
    }
    progress.report(1.0, "mean patches");
    return patches;
}

std::vector<AtlasCell> binLayout(const std::vector<float>& coordinates,
    const std::vector<float>& vectors, int dimension, int grid)
{
    if (grid < 1)
        throw Error("an atlas grid needs at least one cell");
    const size_t count = coordinates.size() / 2;
    if (vectors.size() != count * size_t(dimension))
        throw Error("binning: coordinates and vectors do not match");
    std::map<std::pair<int, int>, AtlasCell> cells;
    for (size_t i = 0; i < count; ++i) {
        const int column = std::clamp(int(coordinates[2 * i] * grid), 0, grid - 1);
        const int row = std::clamp(int(coordinates[2 * i + 1] * grid), 0, grid - 1);
        AtlasCell& cell = cells[{row, column}];
        cell.column = column;
        cell.row = row;
        cell.members.push_back(int(i));
    }
    std::vector<AtlasCell> out;
    for (auto& [key, cell] : cells) {
        // Summed in double: a cell's mean must be the mean of its members, not a float drift.
        std::vector<double> sum(size_t(dimension), 0.0);
        for (int m : cell.members)
            for (int c = 0; c < dimension; ++c)
                sum[size_t(c)] += vectors[size_t(m) * size_t(dimension) + size_t(c)];
        cell.mean.resize(size_t(dimension));
        for (int c = 0; c < dimension; ++c)
            cell.mean[size_t(c)] = float(sum[size_t(c)] / double(cell.members.size()));
        out.push_back(std::move(cell));
    }
    std::stable_sort(out.begin(), out.end(),
        [](const AtlasCell& a, const AtlasCell& b) { return a.members.size() > b.members.size(); });
    return out;
}

Atlas buildAtlas(Model& model, const AtlasConfig& config, Progress& progress)
{
    Atlas atlas;
    const auto stage = [&](double from, double to, const char* name) {
        return Progress(
            [&progress, from, to, name](double f, const std::string& text) {
                progress.report(from + (to - from) * f, std::string(name) + ": " + text);
            },
            progress);
    };
    auto start = std::chrono::steady_clock::now();
    {
        Progress part = stage(0.0, 0.4, "collecting");
        atlas.samples = collectActivationSamples(model, config.samples, part);
    }
    atlas.layer = atlas.samples.layer;
    atlas.collectSeconds = secondsSince(start);
    start = std::chrono::steady_clock::now();
    {
        Progress part = stage(0.4, 0.6, "layout");
        atlas.coordinates = layout2d(atlas.samples.vectors, atlas.samples.count(),
            atlas.samples.dimension, config.layout, part);
    }
    atlas.layoutSeconds = secondsSince(start);
    atlas.grid = config.grid > 0 ? config.grid : atlasGridFor(atlas.samples.count());
    atlas.cells =
        binLayout(atlas.coordinates, atlas.samples.vectors, atlas.samples.dimension, atlas.grid);
    if (config.patchesPerCell > 0) {
        Progress part = stage(0.6, 0.7, "patches");
        atlas.patches = cellMeanPatches(atlas, estimateReceptiveField(model, atlas.layer),
            model.metadata().input.size, config.patchesPerCell, config.patchSize, part);
    }

    start = std::chrono::steady_clock::now();
    FeatureVisConfig icons = config.icon;
    icons.perImageLayer = atlas.layer;
    icons.perImageChannels.clear();
    icons.perImageDirections.clear();
    for (const auto& cell : atlas.cells)
        if (int(cell.members.size()) >= config.minimumCount &&
            int(icons.perImageDirections.size()) < config.maximumIcons)
            icons.perImageDirections.push_back(cell.mean);
    if (!icons.perImageDirections.empty()) {
        Progress part = stage(0.7, 1.0, "icons");
        atlas.icons = renderPerImageInBatches(model, icons, config.iconBatch, part)
                          .images;  // the most populated cells come first
    }
    atlas.iconSeconds = secondsSince(start);
    return atlas;
}

RgbImage atlasImage(const Atlas& atlas, int cellPixels)
{
    const int side = std::max(1, atlas.grid) * cellPixels;
    RgbImage out(side, side);
    std::fill(out.pixels.begin(), out.pixels.end(), 255);
    if (atlas.icons.empty())
        return out;
    cv::Mat canvas = rgbMatView(out);
    const double most = std::log1p(double(atlas.cells.front().members.size()));
    for (size_t i = 0; i < atlas.icons.size() && i < atlas.cells.size(); ++i) {
        const auto& cell = atlas.cells[i];
        cv::Mat icon;
        cv::resize(rgbMatView(atlas.icons[i]), icon, cv::Size(cellPixels, cellPixels), 0, 0,
            cv::INTER_AREA);
        // Denser cells are drawn more opaque (log scale), as in the activation atlas.
        const double alpha =
            0.25 + 0.75 * std::log1p(double(cell.members.size())) / std::max(1e-9, most);
        // Rows grow downwards on screen; the layout's y grows upwards.
        const cv::Rect place(cell.column * cellPixels, (atlas.grid - 1 - cell.row) * cellPixels,
            cellPixels, cellPixels);
        cv::Mat target = canvas(place);
        cv::addWeighted(icon, alpha, target, 1 - alpha, 0, target);
    }
    return out;
}

std::string atlasCoordinatesCsv(const Atlas& atlas)
{
    std::vector<int> cellOf(size_t(atlas.samples.count()), -1);
    for (size_t c = 0; c < atlas.cells.size(); ++c)
        for (int m : atlas.cells[c].members)
            cellOf[size_t(m)] = int(c);
    std::ostringstream csv;
    csv << "sample,image,x,y,layout_x,layout_y,cell_column,cell_row\n";
    for (int i = 0; i < atlas.samples.count(); ++i) {
        const int cell = cellOf[size_t(i)];
        csv << i << ",\"" << atlas.samples.images[size_t(atlas.samples.image[size_t(i)])] << "\","
            << atlas.samples.x[size_t(i)] << ',' << atlas.samples.y[size_t(i)] << ','
            << atlas.coordinates[2 * size_t(i)] << ',' << atlas.coordinates[2 * size_t(i) + 1]
            << ',' << (cell >= 0 ? atlas.cells[size_t(cell)].column : -1) << ','
            << (cell >= 0 ? atlas.cells[size_t(cell)].row : -1) << '\n';
    }
    return csv.str();
}

std::vector<int> nearestImages(const ImageMap& map, int index, int k)
{
    const int n = int(map.images.size()), dim = map.dimension;
    if (index < 0 || index >= n)
        throw Error("no image " + std::to_string(index) + " in the map");
    std::vector<std::pair<double, int>> distances;
    for (int j = 0; j < n; ++j) {
        if (j == index)
            continue;
        double sum = 0;
        for (int c = 0; c < dim; ++c) {
            const double d = double(map.codes[size_t(index) * size_t(dim) + size_t(c)]) -
                map.codes[size_t(j) * size_t(dim) + size_t(c)];
            sum += d * d;
        }
        distances.emplace_back(sum, j);
    }
    const size_t keep = std::min(distances.size(), size_t(std::max(0, k)));
    std::partial_sort(distances.begin(), distances.begin() + std::ptrdiff_t(keep), distances.end());
    std::vector<int> out;
    for (size_t i = 0; i < keep; ++i)
        out.push_back(distances[i].second);
    return out;
}

RgbImage imageMapPicture(const ImageMap& map, int side, int thumbnailSize)
{
    RgbImage out(side, side);
    std::fill(out.pixels.begin(), out.pixels.end(), 255);
    cv::Mat canvas = rgbMatView(out);
    const int usable = std::max(1, side - thumbnailSize);
    for (size_t i = 0; i < map.thumbnails.size(); ++i) {
        cv::Mat thumb;
        cv::resize(rgbMatView(map.thumbnails[i]), thumb, cv::Size(thumbnailSize, thumbnailSize), 0,
            0, cv::INTER_AREA);
        const int x = int(map.coordinates[2 * i] * usable),
                  y = int((1 - map.coordinates[2 * i + 1]) * usable);
        thumb.copyTo(canvas(cv::Rect(
            std::clamp(x, 0, usable), std::clamp(y, 0, usable), thumbnailSize, thumbnailSize)));
    }
    return out;
}

std::vector<float> cellProjections(const Atlas& atlas, const std::vector<float>& direction)
{
    std::vector<float> out;
    out.reserve(atlas.cells.size());
    for (const auto& cell : atlas.cells) {
        if (cell.mean.size() != direction.size())
            throw Error("the direction has " + std::to_string(direction.size()) +
                " values but the atlas's layer has " + std::to_string(cell.mean.size()) +
                " channels");
        double dot = 0;
        for (size_t i = 0; i < direction.size(); ++i)
            dot += double(cell.mean[i]) * double(direction[i]);
        out.push_back(float(dot));
    }
    return out;
}

}  // namespace loupe
