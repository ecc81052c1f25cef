#pragma once

#include "core/atlas.h"

#include <mutex>
#include <string>
#include <vector>

namespace loupe {

class Model;
class Workspace;

// Atlases in the workspace. An atlas takes minutes to build (collect, lay out, render icons),
// so a second request for the same layer, folder and parameters is read back instead. The key
// holds every parameter and a fingerprint of the folder (file names, sizes, modification
// times): adding, removing or changing an image builds anew.
std::string atlasCacheKey(Model& model, const AtlasConfig& config);

// Binary form (icons as PNG). deserializeAtlas throws loupe::Error on a corrupt blob.
std::string serializeAtlas(const Atlas& atlas);
Atlas deserializeAtlas(const std::string& bytes);

// The stored atlas for this config when there is one (`fromCache` true), else built, stored and
// returned. An unreadable entry is rebuilt and replaced; a cancelled build stores nothing.
Atlas cachedAtlas(Model& model, Workspace& workspace, const AtlasConfig& config, Progress& progress,
    bool* fromCache = nullptr);

// Icons of an atlas rendered a few cells at a time, in whatever order the caller asks (the
// cells in view first), each cached in the workspace under a digest of the atlas's key, the
// cell's place and the icon recipe: a cancelled or later session keeps what was rendered.
// Returns the icons in the order of `cells` (indices into atlas.cells); missing ones are
// rendered together in one batch.
std::vector<RgbImage> atlasIcons(Model& model, Workspace* workspace, const std::string& atlasKey,
    const Atlas& atlas, const std::vector<int>& cells, const FeatureVisConfig& icon,
    Progress& progress);

// The cells still without an icon, in the order to render them: the cells in view first (as
// the user pans and zooms, the dock says which), then in the order given (most populated
// first). Thread-safe: the GUI reorders while the icon job takes batches.
class AtlasIconQueue {
public:
    void reset(std::vector<int> cells);
    void show(std::vector<int> visibleCells);
    std::vector<int> next(size_t count);  // empty when every cell was taken
    int total() const;

private:
    mutable std::mutex mutex_;
    std::vector<int> pending_;
    std::vector<int> visible_;
    int total_ = 0;
};

// The image map likewise (one point per image: codes, layout, thumbnails).
struct ImageMapRequest {
    std::string folder;
    std::string layer;
    int maxImages = 0;
    int thumbnailSize = 64;
    LayoutConfig layout;
};
std::string serializeImageMap(const ImageMap& map);
ImageMap deserializeImageMap(const std::string& bytes);
ImageMap cachedImageMap(Model& model, Workspace& workspace, const ImageMapRequest& request,
    Progress& progress, bool* fromCache = nullptr);

}  // namespace loupe
