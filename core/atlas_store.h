#pragma once

#include "core/atlas.h"

#include <string>

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
