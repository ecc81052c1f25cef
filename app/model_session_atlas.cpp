// ModelSession's activation-atlas jobs: building one over a folder (collect, layout, icons),
// a cell's dataset patches, and where the current image lands on it.
#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/activations.h"
#include "core/atlas_store.h"
#include "core/error.h"
#include "core/featurevis_cache.h"
#include "core/image_folder.h"
#include "core/receptive_field.h"
#include "core/workspace.h"

#include <filesystem>

namespace loupe::app {
namespace {

constexpr int kPatches = 6;
constexpr int kPatchSize = 64;

struct BuiltAtlas {
    std::shared_ptr<const Atlas> atlas;
    ReceptiveField field;
    QMap<int, QString> labels;
};

} // namespace

void ModelSession::requestAtlas(const widgets::AtlasBuildRequest& request)
{
    const QString& layer = request.layer;
    const QString& folder = request.folder;
    if (!model_)
        return;
    auto model = model_;
    auto workspace = workspace_;
    AtlasConfig config;
    config.samples.folder = folder.toStdString();
    config.samples.layer = layer.toStdString();
    config.samples.samplesPerImage = request.samplesPerImage;
    config.grid = request.grid;
    config.maximumIcons = request.maxIcons;
    config.icon = thumbnailConfig();
    config.icon.size = 48;  // icons are small on the map; fewer steps keep a CPU atlas to about a minute
    config.icon.steps = request.iconSteps;
    config.icon.previewEvery = 0;
    runner_->submit(
        tr("Atlas of %1 over %2").arg(layer, folder), JobRunner::Pool::Device,
        [model, workspace, config](Progress& progress) -> std::any {
            BuiltAtlas built;
            // Read back when this layer, folder (as it is now) and parameters were built before.
            built.atlas = std::make_shared<const Atlas>(workspace ? cachedAtlas(*model, *workspace, config, progress)
                                                                  : buildAtlas(*model, config, progress));
            built.field = workspace ? cachedReceptiveField(*model, *workspace, built.atlas->layer)
                                    : estimateReceptiveField(*model, built.atlas->layer);
            for (int k : built.atlas->samples.predictedClass)
                if (k >= 0 && !built.labels.contains(k))
                    built.labels.insert(k, QString::fromStdString(model->classLabel(k)));
            return built;
        },
        this,
        {[this](std::any result) {
             auto built = std::any_cast<BuiltAtlas>(result);
             atlas_ = built.atlas;
             atlasField_ = built.field;
             emit atlasReady(built.atlas, built.labels);
         },
         [this](const QString& message) { emit atlasFailed(message); },
         [this] { emit atlasFailed(tr("cancelled")); }},
        QStringLiteral("atlas"));
}

void ModelSession::requestAtlasPatches(int cell)
{
    if (!atlas_ || !model_ || cell < 0 || cell >= int(atlas_->cells.size()))
        return;
    auto atlas = atlas_;
    const ReceptiveField field = atlasField_;
    const int size = model_->metadata().input.size;
    runner_->submit(
        tr("Atlas cell patches"), JobRunner::Pool::Cpu,
        [atlas, field, size, cell](Progress&) -> std::any {
            const auto& members = atlas->cells[size_t(cell)].members;
            std::vector<RgbImage> patches;
            const size_t step = std::max<size_t>(1, members.size() / kPatches);
            for (size_t i = 0; i < members.size() && patches.size() < size_t(kPatches); i += step) {
                const int m = members[i];
                const auto& samples = atlas->samples;
                try {
                    const auto path = std::filesystem::path(samples.folder) / samples.images[size_t(samples.image[size_t(m)])];
                    patches.push_back(exampleImage(decodeImageForModel(path.string(), size), size, field, samples.x[size_t(m)],
                                                   samples.y[size_t(m)], false, kPatchSize));
                } catch (const Error&) {
                    // The file changed since the atlas was built: show the others.
                }
            }
            return patches;
        },
        this, {[this, cell](std::any result) { emit atlasPatchesReady(cell, std::any_cast<std::vector<RgbImage>>(result)); }, {}, {}},
        QStringLiteral("atlas-patches"));
}

void ModelSession::requestAtlasPlacement()
{
    if (!atlas_ || !model_ || image_.empty())
        return;
    auto atlas = atlas_;
    auto model = model_;
    const RgbImage image = image_;
    runner_->submit(
        tr("Place image on the atlas"), JobRunner::Pool::Device,
        [atlas, model, image](Progress&) -> std::any {
            const LayerActivations a = computeActivations(*model, image, atlas->layer, false, 0);
            // Position-major vectors, as the atlas samples are.
            const int positions = a.width * a.height;
            std::vector<float> vectors(size_t(positions) * size_t(a.channels));
            for (int c = 0; c < a.channels; ++c)
                for (int p = 0; p < positions; ++p)
                    vectors[size_t(p) * size_t(a.channels) + size_t(c)] = a.values[size_t(c) * size_t(positions) + size_t(p)];
            return placeOnLayout(atlas->samples.vectors, atlas->coordinates, atlas->samples.dimension, vectors, 5);
        },
        this, {[this](std::any result) { emit atlasPlacementReady(std::any_cast<std::vector<float>>(result)); }, {}, {}},
        QStringLiteral("atlas-placement"));
}

void ModelSession::requestImageMap(const QString& layer, const QString& folder)
{
    if (!model_)
        return;
    auto model = model_;
    auto workspace = workspace_;
    ImageMapRequest request;
    request.folder = folder.toStdString();
    request.layer = layer.toStdString();
    request.maxImages = 2000;
    request.thumbnailSize = 64;
    runner_->submit(
        tr("Image map of %1 over %2").arg(layer, folder), JobRunner::Pool::Device,
        [model, workspace, request](Progress& progress) -> std::any {
            return std::shared_ptr<const ImageMap>(std::make_shared<const ImageMap>(
                workspace ? cachedImageMap(*model, *workspace, request, progress)
                          : buildImageMap(*model, request.folder, request.layer, request.maxImages, request.thumbnailSize,
                                          request.layout, progress)));
        },
        this, {[this](std::any result) { emit imageMapReady(std::any_cast<std::shared_ptr<const ImageMap>>(result)); },
               [this](const QString& message) { emit atlasFailed(message); }, [this] { emit atlasFailed(tr("cancelled")); }},
        QStringLiteral("atlas"));
}

} // namespace loupe::app
