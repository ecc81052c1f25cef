#include "app/modules/concepts_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/saved_records.h"
#include "core/concept_training.h"
#include "core/concept_vectors.h"
#include "core/error.h"
#include "core/featurevis_cache.h"
#include "core/image_folder.h"
#include "core/workspace.h"
#include "widgets/concepts_panel.h"
#include "widgets/unit_selection.h"

#include <QFileInfo>

namespace loupe::app {
namespace {

constexpr int kAgreementImages = 64;  // evenly spread over the store's folder
constexpr int kPageExamples = 9;
constexpr int kCropSize = 72;

QString megabytes(std::uint64_t bytes)
{
    return QStringLiteral("%1 MB").arg(double(bytes) / 1e6, 0, 'f', bytes < 10'000'000 ? 1 : 0);
}

// The concept's direction as a feature-visualization objective, at thumbnail settings.
FeatureVisConfig conceptPictureConfig(
    const SparseDictionary& dictionary, const std::string& layer, int concept)
{
    FeatureVisConfig config = thumbnailConfig();
    ObjectiveTerm term;
    term.kind = ObjectiveTerm::Kind::Direction;
    term.layer = layer;
    const auto begin = dictionary.decoder.begin() + std::ptrdiff_t(concept) * dictionary.dimensions;
    term.direction.assign(begin, begin + dictionary.dimensions);
    config.objective = {term};
    return config;
}

// The layer's module path, or "" when the model has no such layer (checked on the GUI thread,
// where an exception must not escape).
std::string layerPath(const Model& model, const QString& layer)
{
    try {
        return model.layer(layer.toStdString()).path;
    } catch (const Error&) {
        return {};
    }
}

}  // namespace

ConceptsModule::ConceptsModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::ConceptsPanel(context.panels)),
      loaded_(std::make_shared<Loaded>())
{
    connect(
        panel_, &widgets::ConceptsPanel::estimateRequested, this, &ConceptsModule::requestEstimate);
    connect(panel_, &widgets::ConceptsPanel::collectRequested, this,
        &ConceptsModule::requestCollection);
    connect(
        panel_, &widgets::ConceptsPanel::trainRequested, this, &ConceptsModule::requestTraining);
    connect(
        panel_, &widgets::ConceptsPanel::conceptRequested, this, &ConceptsModule::requestConcept);
    connect(panel_, &widgets::ConceptsPanel::conceptNamed, this, &ConceptsModule::requestName);
    saveDirectionsOf(panel_, this, context.records);
    connect(this, &ConceptsModule::estimateReady, panel_, &widgets::ConceptsPanel::setEstimate);
    connect(this, &ConceptsModule::trainingStep, panel_, &widgets::ConceptsPanel::addTrainingStep);
    connect(this, &ConceptsModule::dictionaryReady, panel_, &widgets::ConceptsPanel::setRecord);
    connect(this, &ConceptsModule::noDictionary, panel_, &widgets::ConceptsPanel::clearRecord);
    connect(this, &ConceptsModule::conceptPageReady, panel_, &widgets::ConceptsPanel::setPage);
    connect(this, &ConceptsModule::conceptPictureReady, panel_,
        &widgets::ConceptsPanel::setConceptPicture);
    connect(this, &ConceptsModule::conceptsFailed, panel_, &widgets::Panel::setStatus);
    connect(this, &ConceptsModule::vectorsCollected, panel_, [this](qint64 vectors, int images) {
        panel_->setStatus(tr("%1 vectors from %2 photos collected: train a dictionary on them.")
                              .arg(vectors)
                              .arg(images));
    });
    connect(context.panels.selection, &widgets::UnitSelection::layerChanged, this,
        [this](const QString& layer) { showLayer(layer); });
    // concept:LAYER:INDEX chosen elsewhere (the semantic dictionary): show its page here.
    connect(context.panels.selection, &widgets::UnitSelection::conceptSelected, this,
        [this](const QString& layer, int concept) {
            this->context().shell->raiseDock(QStringLiteral("concepts"));
            if (panel_->hasRecord() && panel_->record().layer == layer.toStdString())
                panel_->selectConcept(concept);
            else
                showLayer(layer, concept);
        });
    connect(context.session, &ModelSession::modelLoaded, this, [this] {
        *loaded_ = Loaded();
        showLayer(this->context().panels.selection->layer());
    });
}

QList<ModuleDock> ConceptsModule::docks() const
{
    return {{panel_, tr("Concepts"), QStringLiteral("concepts"), DockGroup::Unit, tr("Concept…")}};
}

void ConceptsModule::showLayer(const QString& layer, int concept)
{
    auto workspace = context().session->workspace();
    if (!context().session->hasModel() || !workspace || layer.isEmpty())
        return;
    const std::string name = layer.toStdString();
    context().jobs->submit(
        {tr("Concept dictionary of %1").arg(layer), JobRunner::Pool::Cpu,
            QStringLiteral("concepts-layer")},
        this, [=](JobContext&) { return loadConceptDictionary(*workspace, name); },
        [this, layer, concept](const std::optional<ConceptDictionaryRecord>& record) {
            if (record) {
                emit dictionaryReady(*record);
                if (concept >= 0)
                    panel_->selectConcept(concept);
            } else
                emit noDictionary(tr("%1 has no concept dictionary yet: choose a folder, collect, "
                                     "then train.")
                                      .arg(layer));
        },
        [this](const QString& message) { emit conceptsFailed(message); });
}

void ConceptsModule::requestEstimate(
    const QString& layer, const QString& folder, int maxImages, int perImage)
{
    auto model = context().session->model();
    if (!model)
        return;
    VectorCollectionConfig config;
    config.folder = folder.toStdString();
    config.layer = layer.toStdString();
    config.maxImages = maxImages;
    config.perImage = perImage;
    context().jobs->submit(
        {tr("Size of a collection"), JobRunner::Pool::Cpu, QStringLiteral("concepts-estimate")},
        this,
        [=](JobContext&) {
            const int images =
                int(evenlySpread(listImages(config.folder), config.maxImages).size());
            return tr("Collecting %1 over %2 photos will take about %3 on disk.")
                .arg(QString::fromStdString(config.layer))
                .arg(images)
                .arg(megabytes(collectionBytes(*model, config, images)));
        },
        [this](const QString& text) { emit estimateReady(text); },
        [this](const QString& message) { emit conceptsFailed(message); });
}

void ConceptsModule::requestCollection(
    const QString& layer, const QString& folder, int maxImages, int perImage)
{
    ModelSession* session = context().session;
    auto model = session->model();
    auto workspace = session->workspace();
    if (!model || !workspace) {
        emit conceptsFailed(tr("Open a model first (its workspace holds the vectors)."));
        return;
    }
    VectorCollectionConfig config;
    config.folder = folder.toStdString();
    const std::string path = layerPath(*model, layer);
    if (path.empty()) {
        emit conceptsFailed(tr("The model has no layer '%1'.").arg(layer));
        return;
    }
    config.layer = path;
    config.maxImages = maxImages;
    config.perImage = perImage;
    const std::string store = conceptStoreDirectory(*workspace, config.layer);
    *loaded_ = Loaded();
    context().jobs->submit(
        {tr("Collect %1 vectors over %2").arg(layer, QFileInfo(folder).fileName()),
            JobRunner::Pool::Device, QStringLiteral("concepts-collect")},
        this,
        [=](JobContext& job) {
            const CollectedVectors c = collectVectors(*model, config, store, job.progress);
            return std::pair<qint64, int>(c.vectors.count(), int(c.images.size()));
        },
        [this](
            const std::pair<qint64, int>& done) { emit vectorsCollected(done.first, done.second); },
        [this](const QString& message) { emit conceptsFailed(message); },
        [this] {
            emit conceptsFailed(
                tr("Collection cancelled; Collect again continues where it stopped."));
        });
}

void ConceptsModule::requestTraining(
    const QString& layer, int atoms, int k, int steps, bool secondSeed)
{
    ModelSession* session = context().session;
    auto model = session->model();
    auto workspace = session->workspace();
    if (!model || !workspace) {
        emit conceptsFailed(tr("Open a model first."));
        return;
    }
    const std::string path = layerPath(*model, layer);
    if (path.empty()) {
        emit conceptsFailed(tr("The model has no layer '%1'.").arg(layer));
        return;
    }
    const std::string store = conceptStoreDirectory(*workspace, path);
    SparseDictionaryConfig config;
    config.atoms = atoms;
    config.k = k;
    config.steps = steps;
    panel_->startTraining();
    auto loaded = loaded_;
    context().jobs->submit(
        {tr("Train %1 concepts of %2 (k = %3)").arg(atoms).arg(layer).arg(k),
            JobRunner::Pool::Device, QStringLiteral("concepts-train")},
        this,
        [=](JobContext& job) {
            if (!collectedVectorsExist(store))
                throw Error("no vectors collected for '" + path +
                    "' yet: choose a folder and Collect first");
            auto vectors = std::make_shared<const CollectedVectors>(loadCollectedVectors(store));
            ConceptTrainingOptions options;
            options.config = config;
            options.secondSeed = secondSeed;
            options.agreementImages = kAgreementImages;
            TrainedConcepts trained = trainConcepts(
                *model, workspace.get(), *vectors, options, job.progress,
                [&](const TrainingStep& s) { job.post([this, s] { emit trainingStep(s); }); },
                [&](const ConceptDictionaryRecord& kept) {
                    job.post([this, kept] { emit dictionaryReady(kept); });
                });
            auto index = std::make_shared<const ConceptIndex>(std::move(trained.index));
            job.post([loaded, path, vectors, index] { *loaded = Loaded{path, vectors, index}; });
            return trained.record;
        },
        [this](const ConceptDictionaryRecord& record) { emit dictionaryReady(record); },
        [this](const QString& message) { emit conceptsFailed(message); },
        [this] { emit conceptsFailed(tr("Training cancelled; its last checkpoint is kept.")); });
}

void ConceptsModule::requestConcept(const QString& layer, int concept)
{
    ModelSession* session = context().session;
    auto model = session->model();
    auto workspace = session->workspace();
    if (!model || !workspace || !panel_->hasRecord())
        return;
    const ConceptDictionaryRecord record = panel_->record();
    const std::string path = record.layer;
    Q_UNUSED(layer);
    auto loaded = loaded_;
    Loaded have = loaded->layer == path ? *loaded : Loaded();
    context().jobs->submit(
        {tr("Concept %1 of %2").arg(concept).arg(QString::fromStdString(path)),
            JobRunner::Pool::Device, QStringLiteral("concepts-page")},
        this,
        [=](JobContext& job) {
            Loaded now = have;
            if (!now.vectors) {
                job.progress.report(0.05, "reading the stored vectors");
                now.vectors = std::make_shared<const CollectedVectors>(
                    loadCollectedVectors(conceptStoreDirectory(*workspace, path)));
            }
            if (!now.index)
                if (auto index = loadConceptIndex(*workspace, path))
                    now.index = std::make_shared<const ConceptIndex>(std::move(*index));
            now.layer = path;
            job.post([loaded, now] { *loaded = now; });
            const ConceptSummary summary = now.index
                ? now.index->summary(concept)
                : summariseConcept(record.dictionary, now.vectors->vectors, concept);
            job.progress.report(0.3, "the concept's patches");
            const ConceptPage page = makeConceptPage(*model, *now.vectors, record.dictionary,
                summary, concept, kPageExamples, kCropSize);
            job.post([this, page] { emit conceptPageReady(page); });
            const FeatureVisConfig config = conceptPictureConfig(record.dictionary, path, concept);
            if (auto cached = cachedFeatureVis(*workspace, config))
                return *cached;
            Progress rendering(
                [&](double f, const std::string& text) {
                    job.progress.report(0.4 + 0.6 * f, "feature visualization: " + text);
                },
                job.progress);
            const RgbImage image = renderFeatureVis(*model, config, rendering).images.at(0);
            workspace->cacheBestEffort([&] { storeFeatureVis(*workspace, config, image); });
            return image;
        },
        [this, concept](const RgbImage& image) { emit conceptPictureReady(concept, image); },
        [this](const QString& message) { emit conceptsFailed(message); });
}

void ConceptsModule::requestName(const QString& layer, int concept, const QString& name)
{
    auto workspace = context().session->workspace();
    if (!workspace)
        return;
    const std::string path = layer.toStdString(), text = name.toStdString();
    context().jobs->submit(
        {tr("Name concept %1").arg(concept), JobRunner::Pool::Cpu}, this,
        [=](JobContext&) { nameConcept(*workspace, path, concept, text); },
        [this, name] { panel_->setStatus(tr("Named \u201c%1\u201d.").arg(name)); },
        [this](const QString& message) { emit conceptsFailed(tr("Not named: %1").arg(message)); });
}

}  // namespace loupe::app
