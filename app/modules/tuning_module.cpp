#include "app/modules/tuning_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/saved_records.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/receptive_field.h"
#include "core/unit_sheet.h"
#include "core/workspace.h"

#include <QDir>
#include <QFileDialog>
#include <QMenu>

#include <numeric>

namespace loupe::app {
namespace {

using Mode = widgets::TuningRequest::Mode;

struct TuningOutcome {
    Mode mode = Mode::Sweep;
    std::string layer;
    SweepResult sweep;
    std::vector<RgbImage> strongest;
    RadialTuning radial;
    RotationTuning rotation;
    std::vector<InvarianceVariant> variants;
    std::vector<TunedUnit> ranking;
};

constexpr int kThumbnails = 8;
constexpr int kThumbnailSize = 96;
constexpr int kRanked = 10;

}  // namespace

TuningModule::TuningModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::TuningPanel(context.panels))
{
    connect(panel_, &widgets::TuningPanel::tuningRequested, this, &TuningModule::requestTuning);
    connect(panel_, &widgets::TuningPanel::saveFamilyRequested, this, &TuningModule::saveFamily);
    connect(context.records, &SavedRecords::familiesChanged, panel_,
        &widgets::TuningPanel::setFamilies);
    connect(this, &TuningModule::tuningSweepReady, panel_, &widgets::TuningPanel::setSweep);
    connect(this, &TuningModule::tuningRadialReady, panel_, &widgets::TuningPanel::setRadial);
    connect(this, &TuningModule::tuningRotationReady, panel_, &widgets::TuningPanel::setRotation);
    connect(
        this, &TuningModule::tuningInvarianceReady, panel_, &widgets::TuningPanel::setInvariance);
    connect(this, &TuningModule::tuningRankReady, panel_, &widgets::TuningPanel::setRanking);
    connect(this, &TuningModule::tuningFailed, panel_, &widgets::TuningPanel::clearResults);
}

QList<ModuleDock> TuningModule::docks() const
{
    return {{panel_, tr("Tuning"), QStringLiteral("tuning"), DockGroup::Unit, tr("Tuning…")}};
}

void TuningModule::addMenuEntries(QMenu* exportMenu, QMenu*)
{
    exportMenu->addSeparator();
    exportMenu->addAction(tr("Unit Sheet (unit + family, feature vis and examples)…"), this,
        [this] { exportUnitSheet(); });
}

void TuningModule::requestTuning(const widgets::TuningRequest& request)
{
    ModelSession* session = context().session;
    auto model = session->model();
    if (!model || request.channels.isEmpty())
        return;
    auto workspace = session->workspace();
    const Mode mode = request.mode;
    TuningTarget target;
    target.layer = request.layer.toStdString();
    target.channels.assign(request.channels.begin(), request.channels.end());
    const std::string kind = request.stimulus.toStdString(), axes = request.sweep.toStdString();
    static const char* names[] = {
        "Sweep", "Rotated examples", "Radial tuning", "Invariance", "Tuned units"};
    context().jobs->submit(
        {tr("%1 of %2:%3")
                .arg(QLatin1String(names[int(mode)]), request.layer)
                .arg(request.channels.first()),
            JobRunner::Pool::Device, QStringLiteral("tuning")},
        this,
        [=](JobContext& job) mutable {
            Progress& progress = job.progress;
            TuningOutcome out;
            out.mode = mode;
            out.layer = model->layer(target.layer).path;
            if (mode == Mode::FindTuned) {  // every channel of the layer
                target.channels.resize(size_t(model->layer(target.layer).channels()));
                std::iota(target.channels.begin(), target.channels.end(), 0);
            }
            if (mode == Mode::Rotation) {
                if (!workspace)
                    throw Error("rotation tuning reads a dataset scan from the workspace, which "
                                "could not be opened");
                RotationConfig config;
                config.target = target;
                out.rotation = rotationTuning(*model, *workspace, config, progress);
                return out;
            }
            SweepConfig config;
            config.base.kind = stimulusKindFromName(kind);
            config.axes = parseSweep(axes);
            config.target = target;
            const ReceptiveField field = workspace
                ? cachedReceptiveField(*model, *workspace, out.layer)
                : estimateReceptiveField(*model, out.layer);
            if (mode == Mode::Invariance) {
                out.variants = invarianceCheck(*model, workspace.get(), config, field, progress);
                return out;
            }
            out.sweep = workspace ? cachedSweep(*model, *workspace, config, progress)
                                  : runSweep(*model, config, field, progress);
            if (mode == Mode::Radial)
                out.radial = radialTuning(out.sweep);
            if (mode == Mode::FindTuned) {
                out.ranking = rankByOrientationTuning(out.sweep, kRanked);
                std::vector<int> top;
                for (const auto& u : out.ranking)
                    top.push_back(u.channel);
                out.radial = selectChannels(radialTuning(out.sweep), top);
                out.sweep = {};  // the whole layer's responses are not needed on the GUI thread
                return out;
            }
            for (int i : out.sweep.thumbnailStimuli(kThumbnails))
                out.strongest.push_back(out.sweep.render(i, kThumbnailSize));
            return out;
        },
        [this](const TuningOutcome& out) {
            const QString layerName = QString::fromStdString(out.layer);
            switch (out.mode) {
            case Mode::Sweep: emit tuningSweepReady(out.sweep, out.strongest); break;
            case Mode::Radial: emit tuningRadialReady(out.radial, layerName); break;
            case Mode::Rotation: emit tuningRotationReady(out.rotation, layerName); break;
            case Mode::Invariance: emit tuningInvarianceReady(out.variants); break;
            case Mode::FindTuned: emit tuningRankReady(out.ranking, out.radial, layerName); break;
            }
        },
        [this](const QString& message) { emit tuningFailed(message); },
        [this] { emit tuningFailed(tr("cancelled")); });
}

void TuningModule::saveFamily(const QString& name, const QString& layer, const QList<int>& channels)
{
    context().records->saveFamily(name, layer, channels, this,
        [this](const QString& message) { panel_->setStatus(message); });
}

void TuningModule::exportUnitSheet(const QString& givenPath)
{
    ModelSession* session = context().session;
    const widgets::TuningRequest units = panel_->request();  // the selected unit, then its family
    if (units.layer.isEmpty() || units.channels.isEmpty() || !session->hasModel() ||
        !session->workspace()) {
        context().shell->showError(tr("Unit sheet"),
            tr("Select a unit first; its family (Tuning dock) joins it on the sheet."));
        return;
    }
    QString path = givenPath;
    if (path.isEmpty() && !qEnvironmentVariableIsSet("LOUPE_NO_DIALOGS"))
        path = QFileDialog::getSaveFileName(panel_, tr("Unit sheet"),
            QDir(context().shell->lastDirectory())
                .filePath(QStringLiteral("sheet-%1.png").arg(units.layer)),
            tr("PNG image (*.png)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".png"), Qt::CaseInsensitive))
        path += QStringLiteral(".png");
    context().shell->raiseDock(QStringLiteral("dock.jobs"));
    auto model = session->model();
    auto workspace = session->workspace();
    const std::string name = units.layer.toStdString(), file = path.toStdString();
    const std::vector<int> wanted(units.channels.begin(), units.channels.end());
    const std::string source = session->modelPath().toStdString(),
                      hash = session->modelHash().toStdString();
    constexpr int kTile = 96, kExamplesPerUnit = 8;
    context().jobs->submit(
        {tr("Unit sheet of %1 (%2 units)").arg(units.layer).arg(units.channels.size()),
            JobRunner::Pool::Device, QStringLiteral("unit-sheet")},
        this,
        [=](JobContext& job) {
            const auto rows =
                unitSheet(*model, *workspace, name, wanted, kExamplesPerUnit, kTile, job.progress);
            saveImage(unitSheetImage(rows, kTile), file);
            writeFileAtomically(
                file + ".json", unitSheetSidecar(rows, source, hash, kExamplesPerUnit, kTile));
        },
        [this, path] {
            context().shell->showStatus(tr("Unit sheet written to %1 (+ .json)").arg(path), 10000);
            emit unitSheetSaved(path);
        },
        [this](const QString& message) { context().shell->showError(tr("Unit sheet"), message); });
}

}  // namespace loupe::app
