#include "app/modules/atlas_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/saved_records.h"
#include "core/activations.h"
#include "core/atlas_store.h"
#include "core/concept_dictionary_store.h"
#include "core/error.h"
#include "core/featurevis_cache.h"
#include "core/image_folder.h"
#include "core/workspace.h"
#include "widgets/atlas_panel.h"
#include "widgets/unit_selection.h"

#include <QMenu>

#include <algorithm>
#include <filesystem>

namespace loupe::app {
namespace {

constexpr int kPatches = 6;
constexpr int kPatchSize = 64;

constexpr int kMinimumMembers = 3;  // cells with fewer samples keep their mean patch
constexpr size_t kIconBatch = 16;  // icons per step of the icon job: small, so the view
    // follows the user's scrolling quickly

struct BuiltAtlas {
    std::shared_ptr<const Atlas> atlas;
    ReceptiveField field;
    QMap<int, QString> labels;
    std::string key;
};

}  // namespace

AtlasModule::AtlasModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::AtlasPanel(context.panels))
{
    connect(panel_, &widgets::AtlasPanel::atlasRequested, this, &AtlasModule::requestAtlas);
    connect(panel_, &widgets::AtlasPanel::imageMapRequested, this, &AtlasModule::requestImageMap);
    connect(panel_, &widgets::AtlasPanel::patchesWanted, this, &AtlasModule::requestPatches);
    connect(panel_, &widgets::AtlasPanel::placementWanted, this, &AtlasModule::requestPlacement);
    saveDirectionsOf(panel_, this, context.records);
    connect(this, &AtlasModule::atlasReady, panel_, &widgets::AtlasPanel::setAtlas);
    connect(this, &AtlasModule::imageMapReady, panel_, &widgets::AtlasPanel::setImageMap);
    connect(this, &AtlasModule::atlasFailed, panel_, &widgets::AtlasPanel::clearAtlas);
    connect(this, &AtlasModule::atlasPatchesReady, panel_, &widgets::AtlasPanel::setCellPatches);
    connect(
        this, &AtlasModule::atlasPlacementReady, panel_, &widgets::AtlasPanel::setImagePlacement);
    connect(context.panels.selection, &widgets::UnitSelection::conceptChanged, this,
        &AtlasModule::requestConceptColouring);
    // Icon steps: 64 keep a CPU atlas to a minute but leave icons pale; a GPU affords the 512
    // that make them vivid.
    connect(context.session, &ModelSession::modelLoaded, this,
        [this] { panel_->setIconSteps(this->context().session->deviceIsCuda() ? 512 : 128); });
    connect(
        panel_, &widgets::AtlasPanel::visibleCellsChanged, this, [this](const QList<int>& cells) {
            if (icons_)
                icons_->show(std::vector<int>(cells.begin(), cells.end()));
        });
}

QList<ModuleDock> AtlasModule::docks() const
{
    return {
        {panel_, tr("Atlas"), QStringLiteral("atlas"), DockGroup::Unit, tr("Activation Atlas…")}};
}

void AtlasModule::addMenuEntries(QMenu*, QMenu* datasetMenu)
{
    // The Atlas dock asks for the folder and builds for the selected layer.
    datasetMenu->addAction(tr("Build &Atlas…"), this, [this] {
        context().shell->raiseDock(QStringLiteral("dock.atlas"));
        panel_->setImageMapMode(false);
        panel_->build();
    });
    datasetMenu->addAction(tr("Build &Image Map…"), this, [this] {
        context().shell->raiseDock(QStringLiteral("dock.atlas"));
        panel_->setImageMapMode(true);
        panel_->build();
    });
}

void AtlasModule::requestAtlas(const widgets::AtlasBuildRequest& request)
{
    auto model = context().session->model();
    if (!model)
        return;
    auto workspace = context().session->workspace();
    AtlasConfig config;
    config.samples.folder = request.folder.toStdString();
    config.samples.layer = request.layer.toStdString();
    config.samples.samplesPerImage = request.samplesPerImage;
    config.grid = request.grid;  // 0: dense for the number of samples
    config.maximumIcons = 0;  // icons come after the map, a batch at a time (renderIcons)
    config.icon = thumbnailConfig();
    config.icon.size = 48;  // icons are small on the map
    // Jitter scaled to the icon: the thumbnails' 12 px shifts are a quarter of a 48-px icon
    // and blur it to grey.
    config.icon.jitterPixels = 4;
    config.icon.steps = request.iconSteps;
    config.icon.previewEvery = 0;
    iconRecipe_ = config.icon;
    maximumIcons_ = request.maxIcons;
    context().jobs->submit(
        {tr("Atlas of %1 over %2").arg(request.layer, request.folder), JobRunner::Pool::Device,
            QStringLiteral("atlas")},
        this,
        [model, workspace, config](JobContext& job) {
            BuiltAtlas built;
            // Read back when this layer, folder (as it is now) and parameters were built before.
            built.atlas = std::make_shared<const Atlas>(workspace
                    ? cachedAtlas(*model, *workspace, config, job.progress)
                    : buildAtlas(*model, config, job.progress));
            built.key = atlasCacheKey(*model, config);
            built.field = workspace ? cachedReceptiveField(*model, *workspace, built.atlas->layer)
                                    : estimateReceptiveField(*model, built.atlas->layer);
            for (int k : built.atlas->samples.predictedClass)
                if (k >= 0 && !built.labels.contains(k))
                    built.labels.insert(k, QString::fromStdString(model->classLabel(k)));
            return built;
        },
        [this](const BuiltAtlas& built) {
            atlas_ = built.atlas;
            field_ = built.field;
            emit atlasReady(built.atlas, built.labels);
            renderIcons(built.key);
            const auto* selection = this->context().panels.selection;
            requestConceptColouring(selection->conceptLayer(), selection->concept());
        },
        [this](const QString& message) { emit atlasFailed(message); },
        [this] { emit atlasFailed(tr("cancelled")); });
}

void AtlasModule::renderIcons(const std::string& atlasKey)
{
    auto model = context().session->model();
    if (!atlas_ || !model)
        return;
    auto workspace = context().session->workspace();
    auto queue = std::make_shared<AtlasIconQueue>();
    std::vector<int> cells;
    for (int c = 0; c < int(atlas_->cells.size()) && int(cells.size()) < maximumIcons_; ++c)
        if (int(atlas_->cells[size_t(c)].members.size()) >= kMinimumMembers)
            cells.push_back(c);  // cells are most populated first
    queue->reset(cells);
    queue->show(panel_->visibleCells());
    icons_ = queue;
    if (queue->total() == 0)
        return;
    auto atlas = atlas_;
    const FeatureVisConfig recipe = iconRecipe_;
    // Automatic work that may take many minutes on a CPU: low priority, and it pauses at every
    // optimisation step for whatever the user asks next.
    context().jobs->submit(
        {tr("Atlas icons (%1)").arg(queue->total()), JobRunner::Pool::Device,
            QStringLiteral("atlas-icons"), JobRunner::Priority::Background,
            JobRunner::Preemption::AtSteps},
        this,
        [this, model, workspace, atlas, atlasKey, recipe, queue](JobContext& job) {
            int done = 0;
            for (auto cells = queue->next(kIconBatch); !cells.empty();
                 cells = queue->next(kIconBatch)) {
                job.progress.checkCancelled();
                Progress batch(
                    [&](double f, const std::string&) {
                        job.progress.report((done + f * double(cells.size())) / queue->total(),
                            std::to_string(done) + " of " + std::to_string(queue->total()));
                    },
                    job.progress);
                const auto icons =
                    atlasIcons(*model, workspace.get(), atlasKey, *atlas, cells, recipe, batch);
                done += int(cells.size());
                job.post([this, atlas, cells, icons] {
                    if (atlas == atlas_)
                        for (size_t i = 0; i < cells.size(); ++i)
                            panel_->setCellIcon(cells[i], icons[i]);
                });
            }
            return done;
        },
        [this](int rendered) { emit iconsDone(rendered); },
        [this](const QString& message) { panel_->setStatus(tr("Atlas icons: %1").arg(message)); });
}

void AtlasModule::requestConceptColouring(const QString& layer, int concept)
{
    auto model = context().session->model();
    if (!model || !atlas_ || concept < 0 || layer.isEmpty())
        return;
    try {
        if (model->layer(layer.toStdString()).path != atlas_->layer)
            return;  // a concept of another layer: the atlas keeps its colours
    } catch (const Error&) {
        return;
    }
    auto workspace = context().session->workspace();
    auto atlas = atlas_;
    const std::string target = "concept:" + layer.toStdString() + ":" + std::to_string(concept);
    context().jobs->submit(
        {tr("Atlas coloured by concept %1").arg(concept), JobRunner::Pool::Cpu,
            QStringLiteral("atlas-concept")},
        this,
        [workspace, atlas, target](JobContext&) {
            AttributionTarget t = AttributionTarget::parse(target);
            resolveConceptTarget(t, workspace.get());
            return cellProjections(*atlas, t.direction);
        },
        [this, layer, concept](const std::vector<float>& strengths) {
            panel_->setConceptStrengths(
                QString::fromStdString(conceptId(layer.toStdString(), concept)), strengths);
            emit conceptColoured(concept);
        },
        [this](const QString& message) {
            panel_->setConceptStrengths({}, {});
            this->context().shell->showStatus(tr("Atlas colouring: %1").arg(message));
        },
        [] {});
}

void AtlasModule::requestPatches(int cell)
{
    auto model = context().session->model();
    if (!atlas_ || !model || cell < 0 || cell >= int(atlas_->cells.size()))
        return;
    auto atlas = atlas_;
    const ReceptiveField field = field_;
    const int size = model->metadata().input.size;
    context().jobs->submit(
        {tr("Atlas cell patches"), JobRunner::Pool::Cpu, QStringLiteral("atlas-patches")}, this,
        [atlas, field, size, cell](JobContext&) {
            const auto& members = atlas->cells[size_t(cell)].members;
            std::vector<RgbImage> patches;
            const size_t step = std::max<size_t>(1, members.size() / kPatches);
            for (size_t i = 0; i < members.size() && patches.size() < size_t(kPatches); i += step) {
                const int m = members[i];
                const auto& samples = atlas->samples;
                try {
                    const auto path = std::filesystem::path(samples.folder) /
                        samples.images[size_t(samples.image[size_t(m)])];
                    patches.push_back(exampleImage(decodeImageForModel(path.string(), size), size,
                        field, samples.x[size_t(m)], samples.y[size_t(m)], false, kPatchSize));
                } catch (const Error&) {
                    // The file changed since the atlas was built: show the others.
                }
            }
            return patches;
        },
        [this, cell](
            const std::vector<RgbImage>& patches) { emit atlasPatchesReady(cell, patches); },
        [this](const QString& message) { panel_->setStatus(message); });
}

void AtlasModule::requestPlacement()
{
    ModelSession* session = context().session;
    if (!atlas_ || !session->hasModel() || !session->hasImage())
        return;
    auto atlas = atlas_;
    auto model = session->model();
    const RgbImage image = session->image();
    context().jobs->submit(
        {tr("Place image on the atlas"), JobRunner::Pool::Device,
            QStringLiteral("atlas-placement")},
        this,
        [atlas, model, image](JobContext&) {
            const LayerActivations a = computeActivations(*model, image, atlas->layer, false, 0);
            // Position-major vectors, as the atlas samples are.
            const int positions = a.width * a.height;
            std::vector<float> vectors(size_t(positions) * size_t(a.channels));
            for (int c = 0; c < a.channels; ++c)
                for (int p = 0; p < positions; ++p)
                    vectors[size_t(p) * size_t(a.channels) + size_t(c)] =
                        a.values[size_t(c) * size_t(positions) + size_t(p)];
            return placeOnLayout(
                atlas->samples.vectors, atlas->coordinates, atlas->samples.dimension, vectors, 5);
        },
        [this](const std::vector<float>& coordinates) { emit atlasPlacementReady(coordinates); },
        [this](const QString& message) { panel_->setStatus(message); });
}

void AtlasModule::requestImageMap(const QString& layer, const QString& folder)
{
    auto model = context().session->model();
    if (!model)
        return;
    auto workspace = context().session->workspace();
    ImageMapRequest request;
    request.folder = folder.toStdString();
    request.layer = layer.toStdString();
    request.maxImages = 2000;
    request.thumbnailSize = 64;
    context().jobs->submit(
        {tr("Image map of %1 over %2").arg(layer, folder), JobRunner::Pool::Device,
            QStringLiteral("atlas")},
        this,
        [model, workspace, request](JobContext& job) {
            return std::shared_ptr<const ImageMap>(std::make_shared<const ImageMap>(workspace
                    ? cachedImageMap(*model, *workspace, request, job.progress)
                    : buildImageMap(*model, request.folder, request.layer, request.maxImages,
                          request.thumbnailSize, request.layout, job.progress)));
        },
        [this](std::shared_ptr<const ImageMap> map) { emit imageMapReady(std::move(map)); },
        [this](const QString& message) { emit atlasFailed(message); },
        [this] { emit atlasFailed(tr("cancelled")); });
}

}  // namespace loupe::app
