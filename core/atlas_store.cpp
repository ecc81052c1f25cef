#include "core/atlas_store.h"

#include "core/binary_io.h"
#include "core/content_hash.h"
#include "core/error.h"
#include "core/featurevis_cache.h"  // featureVisKey and the batched renderer of the icons
#include "core/image_folder.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"
#include "core/workspace.h"
#include "core/workspace_cache.h"

#include <algorithm>
#include <filesystem>
#include <functional>

namespace loupe {
namespace {

namespace fs = std::filesystem;
constexpr const char* kKind = "atlas";
constexpr const char* kImageMapKind = "image-map";
constexpr std::uint32_t kMagic = 0x4C415432;  // "LAT2": with mean patches
constexpr const char* kIconKind = "atlas-icon";
constexpr std::uint32_t kImageMapMagic = 0x4C494D31;  // "LIM1"

// What the folder holds now: every image's name, size and modification time.
std::string folderFingerprint(const std::string& folder)
{
    std::string listing;
    for (const auto& file : listImages(folder)) {
        std::error_code ec;
        const fs::path path = fs::path(folder) / file;
        const auto size = fs::file_size(path, ec);
        const auto time = fs::last_write_time(path, ec).time_since_epoch().count();
        listing += file + '\t' + std::to_string(ec ? 0 : size) + '\t' +
            std::to_string(ec ? 0 : time) + '\n';
    }
    return sha256OfBytes(listing);
}

std::string canonicalFolder(const std::string& folder)
{
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(fs::absolute(folder), ec);
    return ec ? folder : canonical.string();
}

// Every layout parameter that changes the result (the device does not, beyond rounding).
Json layoutJson(const LayoutConfig& layout)
{
    Json j = Json::object();
    j["neighbours"] = layout.neighbours;
    j["epochs"] = layout.epochs;
    j["pca"] = layout.pcaDimensions;
    j["negatives"] = layout.negativeSamples;
    j["seed"] = static_cast<long long>(layout.seed);
    return j;
}

}  // namespace

std::string atlasCacheKey(Model& model, const AtlasConfig& config)
{
    Json key = Json::object();
    key["folder"] = canonicalFolder(config.samples.folder);
    key["files"] = folderFingerprint(config.samples.folder);
    key["layer"] = model.layer(config.samples.layer).path;
    key["samples_per_image"] = config.samples.samplesPerImage;
    key["max_images"] = config.samples.maxImages;
    key["sample_seed"] = static_cast<long long>(config.samples.seed);
    key["layout"] = layoutJson(config.layout);
    key["grid"] = config.grid;
    key["minimum_count"] = config.minimumCount;
    key["maximum_icons"] = config.maximumIcons;
    key["icon"] = featureVisKey(config.icon);
    key["patches"] = Json(Json::Array{config.patchesPerCell, config.patchSize});
    return key.dump();
}

std::string serializeAtlas(const Atlas& atlas)
{
    BinaryWriter w;
    w.put(kMagic);
    w.putString(atlas.layer);
    w.put(std::int32_t(atlas.grid));
    const ActivationSamples& s = atlas.samples;
    w.putString(s.folder);
    w.putString(s.layer);
    w.put(std::int32_t(s.dimension));
    w.putVector(s.vectors);
    w.putVector(s.image);
    w.putVector(s.x);
    w.putVector(s.y);
    w.putStrings(s.images);
    w.putVector(s.predictedClass);
    w.putStrings(s.skipped);
    w.putVector(atlas.coordinates);
    w.put(std::uint64_t(atlas.cells.size()));
    for (const auto& cell : atlas.cells) {
        w.put(std::int32_t(cell.column));
        w.put(std::int32_t(cell.row));
        w.putVector(cell.members);
        w.putVector(cell.mean);
    }
    std::vector<std::string> icons;
    for (const auto& icon : atlas.icons)
        icons.push_back(encodePng(icon));
    w.putStrings(icons);
    std::vector<std::string> patches;
    for (const auto& patch : atlas.patches)
        patches.push_back(encodePng(patch));
    w.putStrings(patches);
    w.put(atlas.collectSeconds);
    w.put(atlas.layoutSeconds);
    w.put(atlas.iconSeconds);
    return std::move(w.out);
}

Atlas deserializeAtlas(const std::string& bytes)
{
    BinaryReader r(bytes, "the stored atlas");
    if (r.get<std::uint32_t>() != kMagic)
        throw Error("the stored atlas has an unknown format");
    Atlas atlas;
    atlas.layer = r.getString();
    atlas.grid = r.get<std::int32_t>();
    ActivationSamples& s = atlas.samples;
    s.folder = r.getString();
    s.layer = r.getString();
    s.dimension = r.get<std::int32_t>();
    s.vectors = r.getVector<float>();
    s.image = r.getVector<int>();
    s.x = r.getVector<int>();
    s.y = r.getVector<int>();
    s.images = r.getStrings();
    s.predictedClass = r.getVector<int>();
    s.skipped = r.getStrings();
    atlas.coordinates = r.getVector<float>();
    const auto cells = r.get<std::uint64_t>();
    if (s.dimension <= 0 || cells > s.image.size() + 1)
        r.corrupt();
    for (std::uint64_t i = 0; i < cells; ++i) {
        AtlasCell cell;
        cell.column = r.get<std::int32_t>();
        cell.row = r.get<std::int32_t>();
        cell.members = r.getVector<int>();
        cell.mean = r.getVector<float>();
        atlas.cells.push_back(std::move(cell));
    }
    for (const auto& png : r.getStrings())
        atlas.icons.push_back(decodePng(png));
    for (const auto& png : r.getStrings())
        atlas.patches.push_back(decodePng(png));
    atlas.collectSeconds = r.get<double>();
    atlas.layoutSeconds = r.get<double>();
    atlas.iconSeconds = r.get<double>();
    // Every index the panels follow must be in range.
    const size_t count = size_t(s.count());
    if (!r.atEnd() || s.image.size() != count || s.x.size() != count || s.y.size() != count ||
        atlas.coordinates.size() != 2 * count || atlas.icons.size() > atlas.cells.size() ||
        (!atlas.patches.empty() && atlas.patches.size() != atlas.cells.size()))
        r.corrupt();
    for (int image : s.image)
        if (image < 0 || size_t(image) >= s.images.size())
            r.corrupt();
    for (const auto& cell : atlas.cells) {
        if (cell.mean.size() != size_t(s.dimension))
            r.corrupt();
        for (int m : cell.members)
            if (m < 0 || size_t(m) >= count)
                r.corrupt();
    }
    return atlas;
}

Atlas cachedAtlas(Model& model, Workspace& workspace, const AtlasConfig& config, Progress& progress,
    bool* fromCache)
{
    return readOrMake<Atlas>(
        workspace, kKind, atlasCacheKey(model, config), fromCache, deserializeAtlas,
        [&] { return buildAtlas(model, config, progress); }, serializeAtlas);
}

std::vector<RgbImage> atlasIcons(Model& model, Workspace* workspace, const std::string& atlasKey,
    const Atlas& atlas, const std::vector<int>& cells, const FeatureVisConfig& icon,
    Progress& progress)
{
    // One key per cell: the atlas it belongs to (a digest of its key), its place, the recipe.
    const std::string prefix = sha256OfBytes(atlasKey) + "|" + featureVisKey(icon) + "|";
    const auto keyOf = [&](int cell) {
        const AtlasCell& c = atlas.cells.at(size_t(cell));
        return prefix + std::to_string(c.column) + "," + std::to_string(c.row);
    };
    std::vector<RgbImage> icons(cells.size());
    FeatureVisConfig batch = icon;
    batch.perImageLayer = atlas.layer;
    batch.perImageChannels.clear();
    batch.perImageDirections.clear();
    std::vector<size_t> rendered;  // positions in `cells` rendered now
    for (size_t i = 0; i < cells.size(); ++i) {
        if (workspace)
            if (const auto bytes = workspace->get(kIconKind, keyOf(cells[i]))) {
                try {
                    icons[i] = decodePng(*bytes);
                    continue;
                } catch (const Error&) {
                    // a damaged icon is rendered again
                }
            }
        batch.perImageDirections.push_back(atlas.cells.at(size_t(cells[i])).mean);
        rendered.push_back(i);
    }
    if (rendered.empty())
        return icons;
    // Out of device memory, the batch is retried in halves (the icons do not depend on it).
    const FeatureVisResult result =
        renderPerImageInBatches(model, batch, int(batch.perImageDirections.size()), progress);
    for (size_t j = 0; j < rendered.size() && j < result.images.size(); ++j) {
        icons[rendered[j]] = result.images[j];
        if (workspace)
            workspace->cacheBestEffort([&] {
                workspace->put(kIconKind, keyOf(cells[rendered[j]]), encodePng(result.images[j]));
            });
    }
    return icons;
}

void AtlasIconQueue::reset(std::vector<int> cells)
{
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = std::move(cells);
    total_ = int(pending_.size());
}

void AtlasIconQueue::show(std::vector<int> visibleCells)
{
    std::lock_guard<std::mutex> lock(mutex_);
    visible_ = std::move(visibleCells);
}

int AtlasIconQueue::total() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return total_;
}

std::vector<int> AtlasIconQueue::next(size_t count)
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<int> batch;
    for (int cell : visible_) {
        if (batch.size() >= count)
            break;
        const auto it = std::find(pending_.begin(), pending_.end(), cell);
        if (it != pending_.end()) {
            batch.push_back(cell);
            pending_.erase(it);
        }
    }
    while (batch.size() < count && !pending_.empty()) {
        batch.push_back(pending_.front());
        pending_.erase(pending_.begin());
    }
    return batch;
}

std::string serializeImageMap(const ImageMap& map)
{
    BinaryWriter w;
    w.put(kImageMapMagic);
    w.putString(map.folder);
    w.putString(map.layer);
    w.put(std::int32_t(map.dimension));
    w.putStrings(map.images);
    w.putVector(map.codes);
    w.putVector(map.coordinates);
    std::vector<std::string> thumbnails;
    for (const auto& t : map.thumbnails)
        thumbnails.push_back(encodePng(t));
    w.putStrings(thumbnails);
    w.putStrings(map.skipped);
    return std::move(w.out);
}

ImageMap deserializeImageMap(const std::string& bytes)
{
    BinaryReader r(bytes, "the stored image map");
    if (r.get<std::uint32_t>() != kImageMapMagic)
        throw Error("the stored image map has an unknown format");
    ImageMap map;
    map.folder = r.getString();
    map.layer = r.getString();
    map.dimension = r.get<std::int32_t>();
    map.images = r.getStrings();
    map.codes = r.getVector<float>();
    map.coordinates = r.getVector<float>();
    for (const auto& png : r.getStrings())
        map.thumbnails.push_back(decodePng(png));
    map.skipped = r.getStrings();
    const size_t n = map.images.size();
    if (!r.atEnd() || map.dimension <= 0 || map.codes.size() != n * size_t(map.dimension) ||
        map.coordinates.size() != 2 * n || map.thumbnails.size() != n)
        r.corrupt();
    return map;
}

ImageMap cachedImageMap(Model& model, Workspace& workspace, const ImageMapRequest& request,
    Progress& progress, bool* fromCache)
{
    Json key = Json::object();
    key["folder"] = canonicalFolder(request.folder);
    key["files"] = folderFingerprint(request.folder);
    key["layer"] = model.layer(request.layer).path;
    key["max_images"] = request.maxImages;
    key["thumbnail"] = request.thumbnailSize;
    key["layout"] = layoutJson(request.layout);
    return readOrMake<ImageMap>(
        workspace, kImageMapKind, key.dump(), fromCache, deserializeImageMap,
        [&] {
            return buildImageMap(model, request.folder, request.layer, request.maxImages,
                request.thumbnailSize, request.layout, progress);
        },
        serializeImageMap);
}

}  // namespace loupe
