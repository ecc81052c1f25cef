#include "app/modules/dissection_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/thumbnail_service.h"
#include "core/dissection.h"
#include "core/error.h"
#include "core/model.h"
#include "widgets/dissection_panel.h"
#include "widgets/qt_image.h"
#include "widgets/unit_selection.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace loupe::app {
namespace {

struct DissectionRun {
    DissectionResult result;
    bool fromCache = false;
};

struct ExampleImages {
    int unit = 0;
    QList<QImage> images;
    QStringList captions;
};

constexpr int kThumbnailedUnits = 32;  // the strongest detectors get feature-vis thumbnails

}  // namespace

DissectionModule::DissectionModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::DissectionPanel(context.panels))
{
    connect(panel_, &widgets::DissectionPanel::dissectionRequested, this,
        &DissectionModule::requestDissection);
    connect(panel_, &widgets::DissectionPanel::syntheticRequested, this,
        &DissectionModule::requestSynthetic);
    connect(panel_, &widgets::DissectionPanel::examplesRequested, this,
        &DissectionModule::requestExamples);
    connect(this, &DissectionModule::failed, panel_, &widgets::DissectionPanel::clearResult);
}

QList<ModuleDock> DissectionModule::docks() const
{
    return {{panel_, tr("Dissection"), QStringLiteral("dissection"), DockGroup::Unit,
        tr("Dissection…")}};
}

void DissectionModule::requestDissection(const QString& folder, const QString& labelFolder,
    const QString& csv, bool colours, double quantile, double detectorIoU, int maxImages)
{
    auto model = context().session->model();
    if (!model) {
        emit failed(tr("Open a model first."));
        return;
    }
    const QString layer = context().panels.selection->layer();
    if (layer.isEmpty()) {
        emit failed(tr("Select a layer to dissect (a convolutional layer with spatial extent)."));
        return;
    }
    auto workspace = context().session->workspace();
    DissectionConfig config;
    config.folder = folder.toStdString();
    config.layer = layer.toStdString();
    config.sources.colours = colours;
    config.sources.labelFolder = labelFolder.toStdString();
    config.sources.labelCsv = csv.toStdString();
    config.quantile = quantile;
    config.detectorIoU = detectorIoU;
    config.maxImages = maxImages;
    panel_->setLayer(layer);
    panel_->clearResult(tr("Dissecting %1…").arg(layer));
    context().jobs->submit(
        {tr("Dissection of %1").arg(layer), JobRunner::Pool::Device, QStringLiteral("dissection")},
        this,
        [model, workspace, config](JobContext& job) {
            DissectionRun run;
            run.result =
                dissectLayer(*model, workspace.get(), config, job.progress, &run.fromCache);
            return run;
        },
        [this, config, layer](const DissectionRun& run) {
            sources_ = config.sources;
            panel_->showDissection(run.result, run.fromCache);
            // Thumbnails for the strongest detectors; the rest of the table stays text.
            std::vector<const UnitDissection*> order;
            for (const auto& u : run.result.units)
                order.push_back(&u);
            std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->iou > b->iou; });
            QList<int> channels;
            for (size_t i = 0; i < order.size() && int(i) < kThumbnailedUnits; ++i)
                channels << order[i]->unit;
            context().thumbnails->request(
                layer, channels, QStringLiteral("dissection"), panel_,
                [this](const QString&, int channel, const RgbImage& image) {
                    panel_->setThumbnail(channel, widgets::toQImage(image));
                },
                [](const QString&) {});
            emit dissected();
        },
        [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

void DissectionModule::requestSynthetic(const QString& folder, int images)
{
    auto model = context().session->model();
    if (!model) {
        emit failed(tr("Open a model first."));
        return;
    }
    const QDir dir(folder);
    const bool rendered = QFileInfo::exists(dir.filePath(QStringLiteral("concepts.csv")));
    const auto dissect = [this, dir] {
        panel_->setFolder(dir.filePath(QStringLiteral("images")));
        panel_->setLabels(
            dir.filePath(QStringLiteral("labels")), dir.filePath(QStringLiteral("concepts.csv")));
        requestDissection(dir.filePath(QStringLiteral("images")),
            dir.filePath(QStringLiteral("labels")), dir.filePath(QStringLiteral("concepts.csv")),
            false, 0.005, 0.04, 0);
    };
    if (rendered) {
        dissect();
        return;
    }
    const int size = model->metadata().input.size;
    const std::string path = folder.toStdString();
    panel_->clearResult(tr("Rendering %1 synthetic concept images…").arg(images));
    context().jobs->submit(
        {tr("Synthetic concept set"), JobRunner::Pool::Cpu, QStringLiteral("synthetic-concepts")},
        this,
        [path, images, size](JobContext& job) {
            writeSyntheticConceptSet(path, images, size, 1, job.progress);
            return true;
        },
        [dissect](bool) { dissect(); }, [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

void DissectionModule::requestExamples(int unit, int concept)
{
    auto model = context().session->model();
    if (!model)
        return;
    const DissectionResult result = panel_->result();
    const ConceptSources sources = sources_;
    context().jobs->submit(
        {tr("Dissection examples of unit %1").arg(unit), JobRunner::Pool::Device,
            QStringLiteral("dissection-examples")},
        this,
        [model, result, sources, unit, concept](JobContext&) {
            ExampleImages out;
            out.unit = unit;
            for (const auto& e : dissectionExamples(*model, result, sources, unit, concept)) {
                out.images << widgets::toQImage(drawDissectionExample(e));
                out.captions << QStringLiteral("IoU %1\n%2")
                                    .arg(e.iou, 0, 'f', 2)
                                    .arg(QString::fromStdString(e.image));
            }
            return out;
        },
        [this](const ExampleImages& e) { panel_->showExamples(e.unit, e.images, e.captions); },
        [this](const QString& message) { emit failed(message); }, [] {});
}

}  // namespace loupe::app
