#include "app/modules/dataset_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/scan_dialog.h"
#include "core/dataset_scan.h"
#include "core/sample_images.h"
#include "core/scan_shards.h"
#include "core/workspace.h"
#include "widgets/distribution_panel.h"
#include "widgets/examples_panel.h"
#include "widgets/unit_selection.h"

#include <QDir>
#include <QMenu>

#include <variant>

namespace loupe::app {

DatasetModule::DatasetModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), examples_(new widgets::ExamplesPanel(context.panels)),
      distribution_(new widgets::DistributionPanel(context.panels))
{
    ModelSession* session = context.session;
    connect(context.panels.selection, &widgets::UnitSelection::unitChanged, this,
        &DatasetModule::refreshExamples);
    connect(examples_, &widgets::ExamplesPanel::wholeImagesChanged, this,
        &DatasetModule::refreshExamples);
    connect(examples_, &widgets::ExamplesPanel::exampleActivated, this,
        [this](const QString& folder, const QString& path) {
            this->context().shell->openImage(QDir(folder).filePath(path));
        });
    connect(this, &DatasetModule::examplesReady, this, [this](const UnitExamples& e) {
        examples_->setExamples(e);
        distribution_->setDistribution(e);
    });
    connect(session, &ModelSession::modelLoaded, this, &DatasetModule::readScanSummaries);
    connect(session, &ModelSession::workspaceChanged, this, &DatasetModule::readScanSummaries);
    // An edited model has its own workspace: the original's scan is not its scan.
    connect(session, &ModelSession::editsChanged, this, &DatasetModule::readScanSummaries);
    // A unit selected before the summary was read gets its examples now.
    connect(session, &ModelSession::scanChanged, this, &DatasetModule::refreshExamples);
}

QList<ModuleDock> DatasetModule::docks() const
{
    return {{examples_, tr("Dataset Examples"), QStringLiteral("examples"), DockGroup::Unit,
                tr("Dataset Examples…")},
        {distribution_, tr("Distribution"), QStringLiteral("distribution"), DockGroup::Unit,
            tr("Distribution…")}};
}

void DatasetModule::addMenuEntries(QMenu*, QMenu* datasetMenu)
{
    datasetMenu->addAction(tr("&Scan Folder…"), this, [this] { chooseScan(); });
    datasetMenu->addAction(
        tr("Scan Sample &Images (built-in shapes)…"), this, &DatasetModule::scanSampleImages);
}

namespace {

// Which scan the docks read: a merged cluster scan says so, with its ranks, hosts and date.
QString scanDescription(const ScanResults& scan, const std::optional<ScanProvenance>& provenance,
    const std::string& modelHash)
{
    QString text = DatasetModule::tr("scan of %1: %2 images")
                       .arg(QString::fromStdString(scan.folder))
                       .arg(scan.images.size());
    if (provenance && provenance->shards > 0) {
        QStringList counts, hosts;
        for (int n : provenance->shardCounts)
            counts << QString::number(n);
        for (const auto& h : provenance->hosts)
            hosts << QString::fromStdString(h);
        text += DatasetModule::tr(", merged from %1 shard files (runs of %2 shards) on %3, %4")
                    .arg(provenance->shards)
                    .arg(counts.join(QStringLiteral(", ")))
                    .arg(hosts.join(QStringLiteral(", ")))
                    .arg(QString::fromStdString(provenance->merged));
    }
    return text +
        DatasetModule::tr("; model %1").arg(QString::fromStdString(modelHash.substr(0, 12)));
}

}  // namespace

void DatasetModule::refreshExamples()
{
    ModelSession* session = context().session;
    const widgets::UnitSelection* selection = context().panels.selection;
    if (selection->channel() < 0 || !session->hasScan()) {
        if (session->hasModel() && !session->hasScan()) {
            examples_->clearExamples(tr("Dataset > Scan Folder… indexes a folder of images; then "
                                        "every unit shows its examples here."));
            distribution_->clearDistribution(
                tr("Scan a folder (Dataset > Scan Folder…) to see each unit's distribution."));
        }
        return;
    }
    auto workspace = session->workspace();
    const QString layer = selection->layer();
    const int channel = selection->channel();
    const bool wholeImages = examples_->wholeImages();
    const std::string name = layer.toStdString();
    const auto failed = [this](const QString& message) {
        examples_->clearExamples(message);
        distribution_->clearDistribution(message);
    };
    // A layer the scan did not index is an answer, not a failed job.
    using Outcome = std::variant<UnitExamples, QString>;
    context().jobs->submit(
        {tr("Examples of %1:%2").arg(layer).arg(channel), JobRunner::Pool::Cpu,
            QStringLiteral("examples")},
        this,
        [workspace, name, channel, wholeImages, layer](JobContext&) -> Outcome {
            const ScanResults scan = loadScan(*workspace, {}, {name});
            if (!scan.layers.count(name))
                return tr("%1 was not indexed by the dataset scan: Dataset > Scan Folder… with "
                          "this layer")
                    .arg(layer);
            return unitExamples(scan, name, channel, 16, wholeImages, 88);
        },
        [this, failed](const Outcome& outcome) {
            if (const auto* examples = std::get_if<UnitExamples>(&outcome))
                emit examplesReady(*examples);
            else
                failed(std::get<QString>(outcome));
        },
        failed);
}

void DatasetModule::readScanSummaries()
{
    ModelSession* session = context().session;
    auto workspace = session->workspace();
    if (!workspace) {
        session->publishScanSummaries({});
        return;
    }
    // Reading a scan deserialises every layer's statistics: megabytes, so not on the GUI thread.
    struct Overview {
        std::vector<LayerScanSummary> summaries;
        QString description;
    };
    context().jobs->submit(
        {tr("Read scan summary"), JobRunner::Pool::Cpu, QStringLiteral("scan-summary")}, this,
        [workspace](JobContext&) {
            Overview out;
            if (scannedFolders(*workspace).empty())
                return out;
            const ScanResults scan = loadScan(*workspace);
            out.summaries = summarizeScan(scan);
            out.description = scanDescription(
                scan, readScanProvenance(*workspace, scan.folder), workspace->modelHash());
            return out;
        },
        [this, session](const Overview& overview) {
            examples_->setScanDescription(overview.description);
            session->publishScanSummaries(overview.summaries);
        },
        [this](
            const QString& message) { context().shell->showError(tr("Dataset scan"), message); });
}

void DatasetModule::scanFolder(const QString& folder, const QStringList& layers)
{
    ModelSession* session = context().session;
    auto model = session->model();
    auto workspace = session->workspace();
    if (!model)
        return;
    if (!workspace) {
        context().shell->showError(tr("Scan failed"),
            tr("the workspace could not be opened, so scan results cannot be stored"));
        return;
    }
    ScanConfig config;
    config.folder = folder.toStdString();
    for (const QString& l : layers)
        config.layers.push_back(l.toStdString());
    context().jobs->submit(
        {tr("Scan %1").arg(folder), JobRunner::Pool::Device, QStringLiteral("scan")}, this,
        [model, workspace, config](JobContext& job) {
            return loupe::scanFolder(*model, *workspace, config, job.progress);
        },
        [this](const ScanSummary& summary) {
            const QString text =
                tr("Scanned %1 images (%2 already done, %3 skipped) at %4 images/s")
                    .arg(summary.scannedNow)
                    .arg(summary.alreadyScanned)
                    .arg(summary.skipped.size())
                    .arg(summary.imagesPerSecond, 0, 'f', 1);
            context().shell->showStatus(text, 10000);
            readScanSummaries();
            emit scanFinished(text);
        },
        [this](const QString& message) { context().shell->showError(tr("Scan failed"), message); },
        [this] {
            const QString text =
                tr("Scan cancelled; what was scanned is kept, and scanning again resumes");
            context().shell->showStatus(text, 10000);
            readScanSummaries();
            emit scanFinished(text);
        });
}

void DatasetModule::chooseScan(const QString& folder)
{
    ModelSession* session = context().session;
    if (!session->hasModel()) {
        context().shell->showError(tr("No model"), tr("Open a model first: scans are per model."));
        return;
    }
    ScanDialog dialog(
        session->layers(), folder.isEmpty() ? context().shell->lastDirectory() : folder, examples_);
    // Scripted runs (tests, screenshots) take the dialog's defaults instead of asking.
    const bool accepted = qEnvironmentVariableIsSet("LOUPE_NO_DIALOGS")
        ? !folder.isEmpty()
        : dialog.exec() == QDialog::Accepted;
    if (!accepted || dialog.folder().isEmpty())
        return;
    if (dialog.layers().isEmpty()) {
        context().shell->showError(
            tr("Nothing to scan"), tr("Choose at least one layer to index."));
        return;
    }
    context().shell->raiseDock(QStringLiteral("dock.jobs"));
    scanFolder(dialog.folder(), dialog.layers());
}

// A fresh install has no images of its own to scan: the built-in model's dataset, written once
// as a folder (300 PNGs, 10 classes), makes every dataset dock explorable.
void DatasetModule::scanSampleImages()
{
    const QString folder = QString::fromStdString(Workspace::defaultDataDirectory()) +
        QStringLiteral("/samples/shapes");
    context().shell->raiseDock(QStringLiteral("dock.jobs"));
    context().jobs->submit(
        {tr("Write sample images to %1").arg(folder), JobRunner::Pool::Cpu,
            QStringLiteral("sample-images")},
        this,
        [folder](JobContext& job) {
            return writeShapeSampleFolder(folder.toStdString(), 30, 128, job.progress);
        },
        [this, folder](const auto&) { chooseScan(folder); },
        [this](
            const QString& message) { context().shell->showError(tr("Sample images"), message); });
}

}  // namespace loupe::app
