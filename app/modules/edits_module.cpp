#include "app/modules/edits_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/saved_records.h"
#include "core/attribution.h"
#include "core/classify.h"
#include "core/edit_evaluation.h"
#include "core/error.h"
#include "core/image_labels.h"
#include "core/model.h"
#include "core/receptive_field.h"
#include "core/tuning.h"
#include "core/unit_id.h"
#include "widgets/edits_panel.h"
#include "widgets/colour_bar.h"
#include "widgets/qt_image.h"
#include "widgets/unit_selection.h"

#include <algorithm>

namespace loupe::app {
namespace {

struct TopFive {
    std::vector<Prediction> before;
    std::vector<Prediction> after;
};

struct AccuracyRun {
    AccuracyComparison accuracy;
    std::vector<double> randomDrops;
};

struct TuningRun {
    std::vector<double> orientations;
    std::vector<float> before;
    std::vector<float> after;
};

struct OcclusionRun {
    AttributionMap before;
    AttributionMap after;
    std::string klass;
};

}  // namespace

EditsModule::EditsModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::EditsPanel(context.panels))
{
    connect(panel_, &widgets::EditsPanel::applyRequested, this, &EditsModule::requestApply);
    connect(panel_, &widgets::EditsPanel::saveRequested, this, &EditsModule::requestSave);
    connect(panel_, &widgets::EditsPanel::accuracyRequested, this, &EditsModule::requestAccuracy);
    connect(panel_, &widgets::EditsPanel::tuningRequested, this, &EditsModule::requestTuning);
    connect(panel_, &widgets::EditsPanel::occlusionRequested, this, &EditsModule::requestOcclusion);
    connect(this, &EditsModule::failed, panel_, &widgets::EditsPanel::clearResult);
    connect(
        context.records, &SavedRecords::familiesChanged, panel_, &widgets::EditsPanel::setFamilies);
    connect(context.session, &ModelSession::imageChanged, this, &EditsModule::refreshTopFive);
    connect(context.session, &ModelSession::editProposed, this, [this](const ModelEdit& edit) {
        EditList list = panel_->editList();
        list.add(edit);
        panel_->setEditList(list);
        panel_->setStatus(tr("Listed %1; Apply to All Docks uses it.")
                              .arg(QString::fromStdString(edit.toString())));
        this->context().shell->raiseDock(QStringLiteral("edits"));
    });
    connect(context.session, &ModelSession::modelLoaded, this, [this] {
        panel_->setApplied({});
        panel_->setEditList({});
    });
    connect(context.panels.selection, &widgets::UnitSelection::unitChanged, this,
        [this](const QString& layer, int channel) {
            if (panel_->downstreamUnit().isEmpty() && channel >= 0)
                panel_->setDownstreamUnit(QStringLiteral("%1:%2").arg(layer).arg(channel));
        });
}

QList<ModuleDock> EditsModule::docks() const
{
    return {{panel_, tr("Circuit Edits"), QStringLiteral("edits"), DockGroup::Image,
        tr("Circuit Edits…")}};
}

void EditsModule::requestApply(const EditList& edits)
{
    if (!context().session->hasModel()) {
        emit failed(tr("Open a model first."));
        return;
    }
    panel_->setStatus(edits.empty() ? tr("Going back to the original model…")
                                    : tr("Applying %n edit(s)…", nullptr, int(edits.edits.size())));
    context().session->applyEdits(
        edits,
        [this](const EditList& list) {
            panel_->setApplied(list);
            if (!list.empty())
                panel_->setEditList(list);  // with the means read from the scan
            panel_->setStatus(list.empty() ? tr("Every dock uses the original model again.")
                                           : tr("Applied: every dock now runs the edited model."));
            refreshTopFive();
            emit applied();
        },
        [this](const QString& message) { emit failed(message); });
}

void EditsModule::requestSave(const QString& path)
{
    ModelSession* session = context().session;
    if (!session->isEdited()) {
        emit failed(tr("Apply the edits first: the saved model is the one every dock uses."));
        return;
    }
    auto edited = session->model();
    const std::string originalHash = session->originalModel()->hash();
    const EditList edits = session->edits();
    const std::string file = path.toStdString();
    context().jobs->submit(
        {tr("Save edited model"), JobRunner::Pool::Device}, this,
        [edited, edits, originalHash, file](JobContext&) {
            saveEditedModel(*edited, edits, originalHash, file);
            return true;
        },
        [this, path](bool) {
            panel_->setStatus(
                tr("Saved the edited model to %1 (its loupe.json lists the edits).").arg(path));
            emit saved(path);
        },
        [this](const QString& message) { emit failed(message); });
}

void EditsModule::refreshTopFive()
{
    ModelSession* session = context().session;
    if (!session->hasModel() || !session->hasImage() || !session->isEdited())
        return;
    auto original = session->originalModel();
    auto edited = session->model();
    const RgbImage image = session->image();
    context().jobs->submit(
        {tr("Top-5, original and edited"), JobRunner::Pool::Device, QStringLiteral("edits-top5")},
        this,
        [original, edited, image](JobContext& job) {
            TopFive t;
            t.before = classifyImages(*original, {image}, 5, job.progress).at(0);
            t.after = classifyImages(*edited, {image}, 5, job.progress).at(0);
            return t;
        },
        [this](const TopFive& t) {
            panel_->showTopFive(t.before, t.after);
            emit topFiveReady();
        },
        [this](const QString& message) { emit failed(message); });
}

void EditsModule::requestAccuracy(const QString& folder, bool randomControl)
{
    ModelSession* session = context().session;
    if (!session->isEdited()) {
        emit failed(tr("Apply edits first: accuracy compares the edited model with the original."));
        return;
    }
    auto original = session->originalModel();
    auto edited = session->model();
    auto records = session->recordsWorkspace();
    const EditList edits = session->edits();
    const std::string dir = folder.toStdString();
    panel_->setStatus(tr("Measuring accuracy over %1…").arg(folder));
    context().jobs->submit(
        {tr("Accuracy, original and edited"), JobRunner::Pool::Device,
            QStringLiteral("edits-accuracy")},
        this,
        [original, edited, records, edits, dir, randomControl](JobContext& job) {
            job.progress.report(0.0, "decoding the labelled photos");
            const LabelledPhotos photos = loadLabelledPhotos(
                dir, ImageLabeler(original->metadata().labels), original->metadata().input.size, 0);
            if (photos.photos.empty())
                throw Error("no labelled photos in '" + dir +
                    "' (class folders or ImageNet file "
                    "names matching the model's labels)");
            AccuracyRun run;
            const PhotoHits before = classifyHits(*original, photos.photos, job.progress);
            run.accuracy = compareHits(before, classifyHits(*edited, photos.photos, job.progress),
                photos.photos, *original);
            if (randomControl) {
                const RandomUnitControl control = randomUnitControl(
                    *original, records.get(), edits, photos.photos, before, 3, 1, job.progress);
                for (const auto& a : control.accuracy)
                    run.randomDrops.push_back(a.rate(a.top1Before) - a.rate(a.top1After));
            }
            return run;
        },
        [this](const AccuracyRun& run) {
            panel_->showAccuracy(run.accuracy, run.randomDrops);
            emit accuracyReady();
        },
        [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

void EditsModule::requestTuning(const QString& unitText)
{
    ModelSession* session = context().session;
    if (!session->isEdited()) {
        emit failed(
            tr("Apply edits first: the tuning compares the edited model with the original."));
        return;
    }
    UnitId unit;
    try {
        unit = UnitId::parse(unitText.toStdString());
        if (!unit.hasChannel())
            throw Error("name the downstream unit as layer:channel");
    } catch (const Error& e) {
        emit failed(QString::fromUtf8(e.what()));
        return;
    }
    auto original = session->originalModel();
    auto edited = session->model();
    context().jobs->submit(
        {tr("Tuning of %1, original and edited").arg(unitText), JobRunner::Pool::Device,
            QStringLiteral("edits-tuning")},
        this,
        [original, edited, unit](JobContext& job) {
            SweepConfig sweep;
            sweep.axes = parseSweep("orientation=0:360:10,curvature=1:3:1");
            sweep.target.layer = original->layer(unit.layer).path;
            sweep.target.channels = {unit.channel};
            const ReceptiveField field = estimateReceptiveField(*original, sweep.target.layer);
            const RadialTuning before =
                radialTuning(runSweep(*original, sweep, field, job.progress));
            const RadialTuning after = radialTuning(runSweep(*edited, sweep, field, job.progress));
            return TuningRun{before.orientations, before.responses.at(0), after.responses.at(0)};
        },
        [this, unitText](const TuningRun& run) {
            panel_->showTuning(unitText, run.orientations, run.before, run.after);
            emit tuningReady();
        },
        [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

void EditsModule::requestOcclusion()
{
    ModelSession* session = context().session;
    if (!session->isEdited() || !session->hasImage()) {
        emit failed(tr("Open an image and apply edits first."));
        return;
    }
    auto original = session->originalModel();
    auto edited = session->model();
    const RgbImage image = session->image();
    context().jobs->submit(
        {tr("Occlusion, original and edited"), JobRunner::Pool::Device,
            QStringLiteral("edits-occlusion")},
        this,
        [original, edited, image](JobContext& job) {
            AttributionConfig config;
            config.method = AttributionMethod::Occlusion;
            const int klass = classifyImages(*original, {image}, 1, job.progress).at(0).at(0).index;
            config.target = AttributionTarget::parse("class:" + std::to_string(klass));
            OcclusionRun run;
            run.klass = original->classLabel(klass);
            run.before = attribute(*original, image, config, job.progress);
            run.after = attribute(*edited, image, config, job.progress);
            return run;
        },
        [this](const OcclusionRun& run) {
            // One colour scale for both maps (their joint range), so that a weaker map after
            // the edit looks weaker instead of being stretched to the same colours.
            float lo = 0, hi = 0;
            for (const AttributionMap* map : {&run.before, &run.after})
                for (float v : map->values) {
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                }
            panel_->showOcclusion(widgets::toQImage(run.before.inputView),
                widgets::toQImage(attributionOverlayOnRange(run.before, lo, hi)),
                widgets::toQImage(attributionOverlayOnRange(run.after, lo, hi)),
                QString::fromStdString(run.klass), widgets::attributionScale(run.before, lo, hi));
            emit occlusionReady();
        },
        [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

}  // namespace loupe::app
