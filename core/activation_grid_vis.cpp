#include "core/activation_grid_vis.h"

#include "core/activations.h"
#include "core/colormap.h"
#include "core/error.h"
#include "core/featurevis_cache.h"

#include <algorithm>
#include <cmath>

namespace loupe {

ActivationGridVis renderActivationGrid(Model& model, const RgbImage& image,
    const std::string& layer, int maxCells, const FeatureVisConfig& base, Progress& progress)
{
    const LayerActivations a = computeActivations(model, image, layer, false, 0);
    if (a.width <= 1 && a.height <= 1)
        throw Error("layer '" + a.layer + "' has no spatial grid to draw");
    ActivationGridVis out;
    out.layer = a.layer;
    out.columns = std::min(a.width, std::max(1, maxCells));
    out.rows = std::min(a.height, std::max(1, maxCells));
    // Average-pool the activations into the display grid.
    std::vector<std::vector<float>> vectors(
        size_t(out.columns * out.rows), std::vector<float>(size_t(a.channels), 0.f));
    std::vector<int> counts(vectors.size(), 0);
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x) {
            const size_t cell =
                size_t((y * out.rows / a.height) * out.columns + x * out.columns / a.width);
            ++counts[cell];
            for (int c = 0; c < a.channels; ++c)
                vectors[cell][size_t(c)] +=
                    std::max(0.f, a.values[(size_t(c) * a.height + y) * a.width + x]);
        }
    double strongest = 0;
    std::vector<double> norms;
    for (size_t i = 0; i < vectors.size(); ++i) {
        double n = 0;
        for (auto& v : vectors[i]) {
            v /= float(std::max(1, counts[i]));
            n += double(v) * v;
        }
        norms.push_back(std::sqrt(n));
        strongest = std::max(strongest, norms.back());
    }
    FeatureVisConfig config = base;
    config.perImageLayer = a.layer;
    config.previewEvery = 0;
    std::vector<size_t> rendered;
    for (size_t i = 0; i < vectors.size(); ++i)
        if (norms[i] > 0.01 * strongest) {
            config.perImageDirections.push_back(vectors[i]);
            rendered.push_back(i);
        }
    out.cells.assign(vectors.size(), RgbImage());
    if (!rendered.empty()) {
        const FeatureVisResult result = renderPerImageInBatches(model, config, 64, progress);
        for (size_t j = 0; j < rendered.size(); ++j)
            out.cells[rendered[j]] = result.images[j];
    }
    std::vector<RgbImage> tiles;
    for (const auto& cell : out.cells) {
        if (cell.empty()) {
            RgbImage blank(base.size, base.size);
            std::fill(blank.pixels.begin(), blank.pixels.end(), 255);
            tiles.push_back(blank);
        } else {
            tiles.push_back(cell);
        }
    }
    out.mosaic = tileGrid(tiles, out.columns, base.size, 1, 255);
    return out;
}

}  // namespace loupe
