// ModelSession's tuning experiments and unit families (Curve Detectors, figures 13-15, 19),
// and a family's figure.
#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/named_records.h"
#include "core/unit_family.h"
#include "core/unit_sheet.h"
#include "core/workspace.h"

#include <QPointer>

#include <numeric>

namespace loupe::app {
namespace {

struct TuningOutcome {
    ModelSession::TuningExperiment experiment;
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

} // namespace

void ModelSession::requestTuning(TuningExperiment experiment, const QString& stimulus, const QString& sweepText,
                                 const QString& layer, const QList<int>& channels)
{
    if (!model_ || channels.isEmpty())
        return;
    auto model = model_;
    auto workspace = workspace_;
    TuningTarget target;
    target.layer = layer.toStdString();
    target.channels.assign(channels.begin(), channels.end());
    const std::string kind = stimulus.toStdString(), axes = sweepText.toStdString();
    static const char* names[] = {"Sweep", "Rotated examples", "Radial tuning", "Invariance", "Tuned units"};
    if (experiment == TuningExperiment::FindTuned) {  // every channel of the layer
        target.channels.resize(size_t(model->layer(target.layer).channels()));
        std::iota(target.channels.begin(), target.channels.end(), 0);
    }
    runner_->submit(
        tr("%1 of %2:%3").arg(QLatin1String(names[int(experiment)]), layer).arg(channels.first()), JobRunner::Pool::Device,
        [=](Progress& progress) -> std::any {
            TuningOutcome out{experiment, model->layer(target.layer).path, {}, {}, {}, {}, {}, {}};
            if (experiment == TuningExperiment::Rotation) {
                if (!workspace)
                    throw Error("rotation tuning reads a dataset scan from the workspace, which could not be opened");
                RotationConfig config;
                config.target = target;
                out.rotation = rotationTuning(*model, *workspace, config, progress);
                return out;
            }
            SweepConfig config;
            config.base.kind = stimulusKindFromName(kind);
            config.axes = parseSweep(axes);
            config.target = target;
            const ReceptiveField field = workspace ? cachedReceptiveField(*model, *workspace, out.layer)
                                                   : estimateReceptiveField(*model, out.layer);
            if (experiment == TuningExperiment::Invariance) {
                out.variants = invarianceCheck(*model, workspace.get(), config, field, progress);
                return out;
            }
            out.sweep = workspace ? cachedSweep(*model, *workspace, config, progress) : runSweep(*model, config, field, progress);
            if (experiment == TuningExperiment::Radial)
                out.radial = radialTuning(out.sweep);
            if (experiment == TuningExperiment::FindTuned) {
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
        this,
        {[this](std::any result) {
             const auto out = std::any_cast<TuningOutcome>(result);
             const QString layerName = QString::fromStdString(out.layer);
             switch (out.experiment) {
             case TuningExperiment::Sweep: emit tuningSweepReady(out.sweep, out.strongest); break;
             case TuningExperiment::Radial: emit tuningRadialReady(out.radial, layerName); break;
             case TuningExperiment::Rotation: emit tuningRotationReady(out.rotation, layerName); break;
             case TuningExperiment::Invariance: emit tuningInvarianceReady(out.variants); break;
             case TuningExperiment::FindTuned: emit tuningRankReady(out.ranking, out.radial, layerName); break;
             }
         },
         [this](const QString& message) { emit tuningFailed(message); },
         [this] { emit tuningFailed(tr("cancelled")); }},
        QStringLiteral("tuning"));
}

void ModelSession::saveFamily(const QString& name, const QString& layer, const QList<int>& channels)
{
    if (!workspace_) {
        emit tuningFailed(tr("families are kept in the workspace, which could not be opened"));
        return;
    }
    auto workspace = workspace_;
    UnitFamily family;
    family.name = name.toStdString();
    family.layer = model_ ? model_->layer(layer.toStdString()).path : layer.toStdString();
    family.channels.assign(channels.begin(), channels.end());
    // On the device worker: the workspace is written by device jobs, one at a time.
    runner_->submit(
        tr("Save family %1").arg(name), JobRunner::Pool::Device,
        [workspace, family](Progress&) -> std::any {
            RecordChange change{kFamilyRecords, family.name, storedRecord(*workspace, kFamilyRecords, family.name), {}};
            loupe::saveFamily(*workspace, family);
            change.saved = storedRecord(*workspace, kFamilyRecords, family.name).value_or(std::string());
            return change;
        },
        this,
        {[this](std::any result) {
             requestFamilies();
             emit recordSaved(std::any_cast<RecordChange>(result));
         },
         [this](const QString& message) { emit tuningFailed(message); },
         {}});
}

void ModelSession::restoreRecord(const RecordChange& change, const std::optional<std::string>& bytes)
{
    if (!workspace_)
        return;
    auto workspace = workspace_;
    runner_->submit(
        tr("Restore %1 %2").arg(QString::fromStdString(change.kind), QString::fromStdString(change.name)), JobRunner::Pool::Device,
        [workspace, change, bytes](Progress&) -> std::any {
            loupe::restoreRecord(*workspace, change.kind, change.name, bytes);
            return {};
        },
        this, {[this](std::any) { requestFamilies(); }, [this](const QString& message) { emit tuningFailed(message); }, {}});
}

void ModelSession::requestFamilies()
{
    if (!workspace_) {
        emit familiesChanged({});
        return;
    }
    auto workspace = workspace_;
    runner_->submit(
        tr("Read families"), JobRunner::Pool::Device,
        [workspace](Progress&) -> std::any {
            QMap<QString, QString> families;
            for (const auto& name : familyNames(*workspace))
                families.insert(QString::fromStdString(name), QString::fromStdString(loadFamily(*workspace, name).toString()));
            return families;
        },
        this, {[this](std::any result) { emit familiesChanged(std::any_cast<QMap<QString, QString>>(result)); }, {}, {}});
}

void ModelSession::requestUnitSheet(const QString& layer, const QList<int>& channels, int examplesPerUnit, const QString& path)
{
    if (!model_ || !workspace_ || channels.isEmpty()) {
        emit unitSheetFailed(tr("Select a unit (and optionally its family in the Tuning dock) of an open model first."));
        return;
    }
    auto model = model_;
    auto workspace = workspace_;
    const std::string name = layer.toStdString(), file = path.toStdString();
    const std::vector<int> wanted(channels.begin(), channels.end());
    const std::string source = modelPath().toStdString(), hash = modelHash().toStdString();
    constexpr int kTile = 96;
    runner_->submit(
        tr("Unit sheet of %1 (%2 units)").arg(layer).arg(channels.size()), JobRunner::Pool::Device,
        [=](Progress& progress) -> std::any {
            const auto rows = unitSheet(*model, *workspace, name, wanted, examplesPerUnit, kTile, progress);
            saveImage(unitSheetImage(rows, kTile), file);
            writeFileAtomically(file + ".json", unitSheetSidecar(rows, source, hash, examplesPerUnit, kTile));
            return {};
        },
        this, {[this, path](std::any) { emit unitSheetSaved(path); }, [this](const QString& message) { emit unitSheetFailed(message); }, {}},
        QStringLiteral("unit-sheet"));
}

} // namespace loupe::app
