#include "app/modules/unit_page_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/thumbnail_service.h"
#include "core/colormap.h"
#include "core/dataset_scan.h"
#include "core/error.h"
#include "core/featurevis_cache.h"
#include "core/image_io.h"
#include "core/model.h"
#include "core/unit_examples.h"
#include "core/unit_page.h"
#include "core/workspace.h"
#include "widgets/qt_image.h"
#include "widgets/unit_page_panel.h"
#include "widgets/unit_selection.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <optional>
#include <variant>

namespace loupe::app {

namespace {
constexpr int kExamples = 8;
constexpr int kExampleTile = 112;
constexpr int kNeighbours = 8;
constexpr int kSections = 3;  // examples + tuning, neighbours, renders
}  // namespace

UnitPageModule::UnitPageModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::UnitPagePanel(context.panels))
{
    connect(panel_, &widgets::Panel::shownChanged, this, [this](bool shown) {
        if (shown)
            followSelection();  // brought to the front after the selection moved on
    });
    connect(context.panels.selection, &widgets::UnitSelection::unitChanged, this,
        &UnitPageModule::followSelection);
    connect(panel_, &widgets::UnitPagePanel::unitActivated, context.panels.selection,
        &widgets::UnitSelection::selectUnit);
    connect(panel_, &widgets::UnitPagePanel::exampleActivated, this,
        [this](const QString& folder, const QString& path) {
            this->context().shell->openImage(QDir(folder).filePath(path));
        });
    // A new model, edits applied or undone, or a fresh scan: the page shown is out of date.
    const auto stale = [this] {
        shownLayer_.clear();
        shownChannel_ = -1;
        ++generation_;  // what the old page's jobs bring back is dropped, not built on
        followSelection();
    };
    connect(context.session, &ModelSession::modelLoaded, this, stale);
    connect(context.session, &ModelSession::editsChanged, this, stale);
    connect(context.session, &ModelSession::scanChanged, this, stale);
}

QList<ModuleDock> UnitPageModule::docks() const
{
    return {
        {panel_, tr("Unit Page"), QStringLiteral("unitpage"), DockGroup::Unit, tr("Unit Page…")}};
}

void UnitPageModule::followSelection()
{
    const widgets::UnitSelection* selection = context().panels.selection;
    if (!panel_->isShown() || selection->channel() < 0)
        return;
    if (selection->layer() == shownLayer_ && selection->channel() == shownChannel_)
        return;
    showUnit(selection->layer(), selection->channel());
}

void UnitPageModule::showUnit(const QString& layer, int channel)
{
    ModelSession* session = context().session;
    auto model = session->model();
    if (!model)
        return;
    try {
        checkedUnit(*model, layer.toStdString(), channel);
    } catch (const std::exception& e) {
        panel_->setStatus(QString::fromStdString(firstLine(e.what())));
        return;
    }
    shownLayer_ = layer;
    shownChannel_ = channel;
    ++generation_;
    sectionsLeft_ = kSections;
    const QString title = tr("%1:%2 — %3").arg(layer).arg(channel).arg(session->modelName());
    const UnitLink link{model->hash(), layer.toStdString(), channel};
    panel_->showUnit(layer, channel, title, QString::fromStdString(link.toString()));
    requestExamplesAndNeighbours();
    requestRenders();
}

void UnitPageModule::sectionDone()
{
    if (--sectionsLeft_ == 0)
        emit pageComplete();
}

void UnitPageModule::requestExamplesAndNeighbours()
{
    ModelSession* session = context().session;
    auto records = session->recordsWorkspace();  // scans and sweeps stay the original model's
    const QString layer = shownLayer_;
    const int channel = shownChannel_;
    const int generation = generation_;
    const std::string name = layer.toStdString();
    struct Read {
        std::variant<UnitExamples, QString> examples;
        QString scanDescription;
        std::optional<UnitOrientationTuning> tuning;
    };
    const bool hasScan = session->hasScan();
    context().jobs->submit(
        {tr("Unit page of %1:%2: examples").arg(layer).arg(channel), JobRunner::Pool::Cpu,
            QStringLiteral("unit-page-examples")},
        this,
        [records, name, channel, layer, hasScan](JobContext& job) {
            Read read;
            read.examples = tr("No dataset scan yet: Dataset > Scan Folder… shows every unit's "
                               "strongest and weakest examples here.");
            if (records && hasScan) {
                job.progress.report(0, "reading the dataset scan");
                const ScanResults scan = loadScan(*records, {}, {name});
                job.progress.checkCancelled();
                job.progress.report(0.3, "cropping the examples");
                if (!scan.layers.count(name)) {
                    read.examples = tr("%1 was not indexed by the dataset scan").arg(layer);
                } else {
                    read.examples =
                        unitExamples(scan, name, channel, kExamples, false, kExampleTile);
                    read.scanDescription = tr("Scan of %1 (%2 images)")
                                               .arg(QString::fromStdString(scan.folder))
                                               .arg(scan.images.size());
                }
            }
            if (records) {
                job.progress.checkCancelled();
                job.progress.report(0.9, "orientation tuning");
                read.tuning = cachedOrientationTuning(*records, name, channel);
            }
            return read;
        },
        [this, generation](const Read& read) {
            if (generation != generation_)
                return;
            panel_->setTuning(read.tuning);
            // Neighbours are measured on the unit's strongest example, or the open image.
            if (const auto* examples = std::get_if<UnitExamples>(&read.examples)) {
                panel_->setExamples(*examples, read.scanDescription);
                if (!examples->top.empty()) {
                    const ExampleTile& best = examples->top.front();
                    const QString path = QDir(QString::fromStdString(examples->folder))
                                             .filePath(QString::fromStdString(best.path));
                    requestNeighbours(path, best.x, best.y,
                        tr("its strongest example, %1").arg(QFileInfo(path).fileName()));
                    sectionDone();
                    return;
                }
            } else {
                panel_->clearExamples(std::get<QString>(read.examples));
            }
            const ModelSession* session = context().session;
            if (session->hasImage())
                requestNeighbours(QString(), -1, -1,
                    tr("the open image, %1").arg(QFileInfo(session->imagePath()).fileName()));
            else {
                panel_->setNeighbours({}, tr("no image: open one or scan a folder"));
                sectionDone();
            }
            sectionDone();
        },
        [this, generation](const QString& message) {
            if (generation != generation_)
                return;
            panel_->clearExamples(message);
            panel_->setNeighbours({}, message);
            sectionDone();
            sectionDone();
        });
}

void UnitPageModule::requestNeighbours(
    const QString& imagePath, int x, int y, const QString& imageName)
{
    ModelSession* session = context().session;
    auto model = session->model();
    const RgbImage openImage = imagePath.isEmpty() ? session->image() : RgbImage();
    const std::string layer = shownLayer_.toStdString(), path = imagePath.toStdString();
    const int channel = shownChannel_;
    const int generation = generation_;
    context().jobs->submit(
        {tr("Unit page of %1:%2: neighbours").arg(shownLayer_).arg(channel),
            JobRunner::Pool::Device, QStringLiteral("unit-page-neighbours")},
        this,
        [model, openImage, layer, path, channel, x, y](JobContext& job) {
            job.progress.report(0, path.empty() ? "the open image" : "reading " + path);
            const RgbImage image = path.empty() ? openImage : loadImage(path);
            return unitNeighbours(*model, image, layer, channel, x, y, kNeighbours, job.progress);
        },
        [this, generation, imageName](const UnitNeighbours& neighbours) {
            if (generation != generation_)
                return;
            panel_->setNeighbours(neighbours, imageName);
            // Thumbnails of the neighbours: one batch per layer, cached like every thumbnail.
            const auto pictures = [this](const std::vector<UnitNeighbour>& units,
                                      const QString& requester) {
                if (units.empty())
                    return;
                QList<int> channels;
                for (const auto& n : units)
                    channels << n.channel;
                context().thumbnails->request(
                    QString::fromStdString(units.front().layer), channels, requester, this,
                    [this](const QString& layer, int c, const RgbImage& image) {
                        panel_->setNeighbourPicture(layer, c, widgets::toQImage(image));
                    },
                    [](const QString&) {});
            };
            pictures(neighbours.inputs, QStringLiteral("unit-page-inputs"));
            pictures(neighbours.outputs, QStringLiteral("unit-page-outputs"));
            sectionDone();
        },
        [this, generation](const QString& message) {
            if (generation != generation_)
                return;
            panel_->setNeighbours({}, message);
            sectionDone();
        });
}

void UnitPageModule::requestRenders()
{
    ModelSession* session = context().session;
    auto model = session->model();
    auto workspace = session->workspace();
    const int size = std::clamp(session->inputSize() * 3 / 2, 64, 128);
    const auto renders = unitPageRenders(shownLayer_.toStdString(), shownChannel_, size);
    const int generation = generation_;
    // Long, and the user may move on at any moment: pauses at every step for newer requests
    // and is superseded by the next unit's page.
    context().jobs->submit(
        {tr("Unit page of %1:%2: feature visualizations").arg(shownLayer_).arg(shownChannel_),
            JobRunner::Pool::Device, QStringLiteral("unit-page-renders"), JobRunner::Priority::User,
            JobRunner::Preemption::AtSteps},
        this,
        [this, model, workspace, renders, generation](JobContext& job) {
            for (size_t i = 0; i < renders.size(); ++i) {
                const UnitPageRender& render = renders[i];
                std::optional<FeatureVisResult> result;
                if (workspace)
                    result = cachedFeatureVisResult(*workspace, render.config);
                if (!result) {
                    const double from = double(i) / double(renders.size());
                    Progress stage(
                        [&](double f, const std::string& text) {
                            job.progress.report(
                                from + f / double(renders.size()), render.caption + ": " + text);
                        },
                        job.progress);
                    result = renderFeatureVis(*model, render.config, stage);
                    // A diversity batch is shown, and cached (the store keeps one picture per
                    // render), as one 2 x 2 picture.
                    if (result->images.size() > 1)
                        result->images = {
                            tileGrid(result->images, 2, result->images.front().width, 2, 255)};
                    if (workspace && result->warning.empty() && !result->images.empty())
                        storeFeatureVisResult(*workspace, render.config, *result);
                }
                if (result->images.empty())
                    continue;
                const RgbImage picture = result->images.front();
                const QString caption = QString::fromStdString(render.caption);
                job.post([this, generation, i, caption, picture] {
                    if (generation == generation_)
                        panel_->setRender(int(i), caption, widgets::toQImage(picture));
                });
            }
        },
        [this, generation] {
            if (generation == generation_)
                sectionDone();
        },
        [this, generation](const QString& message) {
            if (generation != generation_)
                return;
            panel_->setRenderFailed(message);
            sectionDone();
        });
}

}  // namespace loupe::app
