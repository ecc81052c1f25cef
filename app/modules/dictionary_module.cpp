#include "app/modules/dictionary_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/thumbnail_service.h"
#include "core/activation_grid_vis.h"
#include "core/concept_dictionary_store.h"
#include "core/featurevis_cache.h"
#include "core/nmf.h"
#include "core/unit_examples.h"
#include "widgets/dictionary_panel.h"
#include "widgets/qt_image.h"

namespace loupe::app {

DictionaryModule::DictionaryModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::DictionaryPanel(context.panels))
{
    ModelSession* session = context.session;
    connect(session, &ModelSession::imageChanged, this,
        [this, session] { panel_->setImage(widgets::toQImage(session->image())); });
    connect(session, &ModelSession::activationsChanged, this,
        [this, session](const LayerActivations& a) {
            activations_ = a;
            panel_->setActivations(a, session->inputSize());
        });
    connect(panel_, &widgets::DictionaryPanel::conceptsWanted, this,
        &DictionaryModule::requestConcepts);
    connect(this, &DictionaryModule::conceptsReady, panel_, &widgets::DictionaryPanel::setConcepts);
    connect(panel_, &widgets::DictionaryPanel::thumbnailsWanted, this,
        [this](const QString& layer, const QList<int>& channels) {
            this->context().thumbnails->request(
                layer, channels, QStringLiteral("dictionary"), this,
                [this](const QString& l, int channel, const RgbImage& image) {
                    emit thumbnailReady(l, channel, image);
                },
                [this](const QString& message) {
                    panel_->setStatus(tr("Thumbnails: %1").arg(message));
                });
        });
    connect(this, &DictionaryModule::thumbnailReady, this,
        [this](const QString& layer, int channel, const RgbImage& image) {
            panel_->setThumbnail(layer, channel, widgets::toQImage(image));
        });
    connect(panel_, &widgets::DictionaryPanel::topExamplesWanted, this,
        &DictionaryModule::requestTopExamples);
    connect(panel_, &widgets::DictionaryPanel::activationGridRequested, this,
        &DictionaryModule::requestActivationGrid);
    connect(panel_, &widgets::DictionaryPanel::nmfRequested, this, &DictionaryModule::requestNmf);
    connect(this, &DictionaryModule::figureReady, this,
        [this](const QString& title, const RgbImage& image, int columns, int rows) {
            panel_->showFigure(title, widgets::toQImage(image), columns, rows);
        });
}

QList<ModuleDock> DictionaryModule::docks() const
{
    return {{panel_, tr("Dictionary"), QStringLiteral("dictionary"), DockGroup::Image,
        tr("Semantic Dictionary…")}};
}

void DictionaryModule::requestTopExamples(const QString& layer, const QList<int>& channels)
{
    ModelSession* session = context().session;
    if (!session->hasScan() || channels.isEmpty())
        return;
    auto workspace = session->workspace();
    const std::string name = session->hasModel() ? session->model()->layer(layer.toStdString()).path
                                                 : layer.toStdString();
    const std::vector<int> wanted(channels.begin(), channels.end());
    context().jobs->submit(
        {tr("Top examples of %1").arg(layer), JobRunner::Pool::Cpu,
            QStringLiteral("dictionary-examples")},
        this,
        [workspace, name, wanted](
            JobContext&) { return topExampleOfChannels(*workspace, name, wanted, 72); },
        [this, layer, wanted](const std::vector<ExampleTile>& tiles) {
            for (size_t i = 0; i < tiles.size(); ++i)
                if (!tiles[i].image.empty())
                    panel_->setTopExample(layer, wanted[i], widgets::toQImage(tiles[i].image));
        },
        [this](const QString& message) {
            panel_->setStatus(tr("Dataset examples: %1").arg(message));
        });
}

// A figure of the current image computed on the device worker, shown by title.
void DictionaryModule::submitFigure(const QString& title, const QString& supersede,
    std::function<Figure(Model&, const RgbImage&, Progress&)> figure)
{
    ModelSession* session = context().session;
    if (!session->hasModel() || !session->hasImage())
        return;
    auto model = session->model();
    const RgbImage image = session->image();
    context().jobs->submit(
        {title, JobRunner::Pool::Device, supersede}, this,
        [model, image, figure = std::move(figure)](
            JobContext& job) { return figure(*model, image, job.progress); },
        [this, title](const Figure& f) { emit figureReady(title, f.image, f.columns, f.rows); },
        [this, title](
            const QString& message) { panel_->setStatus(tr("%1: %2").arg(title, message)); });
}

void DictionaryModule::requestActivationGrid(const QString& layer, int maxCells)
{
    const std::string name = layer.toStdString();
    submitFigure(tr("Activation grid of %1").arg(layer), QStringLiteral("activation-grid"),
        [name, maxCells](Model& model, const RgbImage& image, Progress& progress) {
            FeatureVisConfig base = thumbnailConfig();
            base.size = 64;
            const ActivationGridVis grid =
                renderActivationGrid(model, image, name, maxCells, base, progress);
            return Figure{grid.mosaic, grid.columns, grid.rows};
        });
}

void DictionaryModule::requestNmf(const QString& layer, int k)
{
    const std::string name = layer.toStdString();
    submitFigure(tr("NMF factors of %1, k = %2 (one colour per factor)").arg(layer).arg(k),
        QStringLiteral("nmf"), [name, k](Model& model, const RgbImage& image, Progress& progress) {
            const LayerFactors f = factorizeLayer(model, {image}, name, k, 300, 0, &progress);
            return Figure{nmfOverlay(image, model.metadata().input.size, f, f.maps.front()), 0, 0};
        });
}

void DictionaryModule::requestConcepts(const QString& layer, const CellRange& cells)
{
    auto workspace = context().session->workspace();
    if (!workspace || activations_.layer != layer.toStdString())
        return;
    const LayerActivations activations = activations_;
    using Found = std::pair<std::vector<DictionaryEntry>, QStringList>;
    context().jobs->submit(
        {tr("Concepts in the region"), JobRunner::Pool::Cpu, QStringLiteral("dictionary-concepts")},
        this,
        [workspace, activations, cells](JobContext&) {
            Found found;
            const auto record = loadConceptDictionary(*workspace, activations.layer);
            if (!record)
                return found;
            found.first = conceptDictionary(activations, cells, record->dictionary, 8);
            for (const auto& e : found.first)
                found.second << QString::fromStdString(conceptLabel(*record, e.channel));
            return found;
        },
        [this, layer](const Found& found) { emit conceptsReady(layer, found.first, found.second); },
        [this](const QString& message) { panel_->setStatus(tr("Concepts: %1").arg(message)); });
}

}  // namespace loupe::app
