#include "app/launch_script.h"

#include "app/job_runner.h"
#include "app/main_window.h"
#include "app/model_session.h"
#include "app/modules/atlas_module.h"
#include "app/modules/attribution_module.h"
#include "app/modules/circuit_module.h"
#include "app/modules/concepts_module.h"
#include "app/modules/curves_module.h"
#include "app/modules/decision_module.h"
#include "app/modules/edits_module.h"
#include "app/modules/timeline_module.h"
#include "app/modules/dissection_module.h"
#include "app/modules/dataset_module.h"
#include "app/modules/dictionary_module.h"
#include "app/modules/adversarial_module.h"
#include "app/modules/dream_module.h"
#include "app/modules/inversion_module.h"
#include "app/modules/style_module.h"
#include "app/modules/texture_shape_module.h"
#include "app/modules/neuron_module.h"
#include "app/modules/nmf_module.h"
#include "app/modules/occlusion_module.h"
#include "app/modules/tuning_module.h"
#include "core/unit_id.h"
#include "app/unit_navigation.h"
#include "widgets/attribution_panel.h"
#include "widgets/dictionary_panel.h"
#include "widgets/neuron_panel.h"
#include "widgets/tuning_panel.h"
#include "widgets/occlusion_panel.h"
#include "widgets/circuit_panel.h"
#include "widgets/concepts_panel.h"
#include "widgets/curves_panel.h"
#include "widgets/decision_panel.h"
#include "widgets/edits_panel.h"
#include "widgets/timeline_panel.h"
#include "widgets/dissection_panel.h"
#include "widgets/adversarial_panel.h"
#include "widgets/dream_panel.h"
#include "widgets/inversion_panel.h"
#include "widgets/style_panel.h"
#include "widgets/texture_shape_panel.h"
#include "widgets/nmf_panel.h"
#include "widgets/atlas_panel.h"
#include "widgets/unit_selection.h"

#include <QApplication>
#include <QDir>
#include <QTimer>

#include <cstdio>

namespace loupe::app {

LaunchScript::LaunchScript(MainWindow* window, LaunchRequest request)
    : QObject(window), window_(window), request_(std::move(request))
{
    connect(window_, &MainWindow::modelReady, this, &LaunchScript::onModelReady);
    connect(window_, &MainWindow::modelFailed, this, &LaunchScript::onModelFailed);
    connect(
        window_->jobs(), &JobRunner::jobAdded, this, [this](int id) { scriptJobs_.insert(id); });
    connect(
        window_->jobs(), &JobRunner::jobFinished, this, [this](int id) { scriptJobs_.remove(id); });
    if (!request_.screenshot.isEmpty()) {
        window_->setScripted(true);
        // Out of time: the picture of what is there is still worth having (the status says
        // which jobs were still running), but the exit status says it is not the finished one.
        QTimer::singleShot(request_.timeoutSeconds * 1000, this, [this] {
            const bool saved = window_->grab().save(request_.screenshot);
            std::fprintf(stderr,
                "loupe: screenshot timed out after %d s with %d job(s) still running%s\n",
                request_.timeoutSeconds, int(scriptJobs_.size()),
                saved ? qPrintable(
                            QStringLiteral("; what was there is saved to ") + request_.screenshot)
                      : "");
            QApplication::exit(1);
        });
    }
}

void LaunchScript::onModelReady()
{
    if (applied_)
        return;
    applied_ = true;
    if (!request_.image.isEmpty())
        window_->openImage(request_.image);
    if (looksLikeUnitLink(request_.unit)) {
        window_->goToUnit(request_.unit);
    } else if (!request_.unit.isEmpty()) {
        try {
            const UnitId unit = UnitId::parse(request_.unit.toStdString());
            window_->selection()->selectUnit(QString::fromStdString(unit.layer), unit.channel);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "loupe: %s\n", e.what());
        }
    } else if (!request_.layer.isEmpty()) {
        window_->selection()->selectLayer(request_.layer);
    }
    if (!request_.preset.isEmpty() && !window_->applyPreset(request_.preset))
        std::fprintf(stderr, "loupe: no task preset '%s' (unit, image, dataset, experiments)\n",
            qPrintable(request_.preset));
    if (request_.renderLayer)
        window_->module<NeuronModule>()->panel()->requestLayerRender();
    if (!request_.dock.isEmpty() && !window_->raiseDock(request_.dock))
        std::fprintf(stderr, "loupe: no dock named '%s' (docks: %s)\n", qPrintable(request_.dock),
            qPrintable(window_->dockNames().join(QStringLiteral(", "))));
    // The scripted steps run with or without --screenshot; only the grab at the end needs it.
    QTimer::singleShot(500, this, &LaunchScript::checkIdle);
}

void LaunchScript::onModelFailed(const QString& message)
{
    std::fprintf(stderr, "loupe: cannot open the model: %s\n", qPrintable(message));
    if (applied_ || modelFailed_)
        return;
    modelFailed_ = true;
    if (!request_.screenshot.isEmpty())
        QTimer::singleShot(500, this, &LaunchScript::checkIdle);
}

void LaunchScript::checkIdle()
{
    if (scriptJobsRunning()) {
        QTimer::singleShot(200, this, &LaunchScript::checkIdle);
        return;
    }
    if (modelFailed_) {  // nothing to script without a model: show the error state
        QTimer::singleShot(700, this, &LaunchScript::takeScreenshot);
        return;
    }
    if (request_.scanSamples && !sampled_) {  // first: the other steps may read the scan
        sampled_ = true;
        window_->module<DatasetModule>()->scanSampleImages();
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (!request_.pick.isEmpty() && !picked_) {
        picked_ = true;
        const QStringList xy = request_.pick.split(QLatin1Char(','));
        window_->module<DictionaryModule>()->panel()->pick(
            xy.value(0).toDouble(), xy.value(1).toDouble());
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);  // thumbnails may be rendering
        return;
    }
    if (!request_.attribute.isEmpty() && !attributed_) {
        attributed_ = true;
        window_->module<AttributionModule>()->panel()->setUnitTarget(request_.attributeUnit);
        if (window_->module<AttributionModule>()->panel()->setMethod(request_.attribute))
            window_->module<AttributionModule>()->panel()->compute();
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (attributed_ && (request_.sanity || !request_.objectBox.isEmpty()) && !sanityChecked_) {
        sanityChecked_ = true;
        auto* panel = window_->module<AttributionModule>()->panel();
        const QStringList box = request_.objectBox.split(QLatin1Char(','));
        if (box.size() == 4)
            panel->setObjectBox(
                QRect(box[0].toInt(), box[1].toInt(), box[2].toInt(), box[3].toInt()));
        if (request_.sanity) {
            panel->requestHeavyMetrics();
            panel->requestSanityCheck();
        }
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (request_.nmf > 0 && !factorized_) {
        factorized_ = true;
        window_->module<NmfModule>()->panel()->setK(request_.nmf);
        window_->module<NmfModule>()->panel()->run();
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (!request_.tune.isEmpty() && !tuned_) {
        tuned_ = true;
        static const QStringList modes{QStringLiteral("sweep"), QStringLiteral("rotation"),
            QStringLiteral("radial"), QStringLiteral("invariance"), QStringLiteral("find")};
        auto* tuning = window_->module<TuningModule>()->panel();
        tuning->setMode(
            widgets::TuningRequest::Mode(std::max(0, int(modes.indexOf(request_.tune)))));
        if (!request_.sweep.isEmpty())
            tuning->setSweepText(request_.sweep);
        tuning->setFamilyText(request_.family);
        tuning->run();
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (!request_.occlude.isEmpty() && !occluded_) {
        occluded_ = true;
        static const QStringList maps{QStringLiteral("prob"), QStringLiteral("unit"),
            QStringLiteral("layer"), QStringLiteral("classes")};
        window_->module<OcclusionModule>()->panel()->setMap(
            widgets::OcclusionPanel::Map(std::max(0, int(maps.indexOf(request_.occlude)))));
        window_->module<OcclusionModule>()->panel()->run();
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (!request_.invert.isEmpty() && !inverted_) {
        inverted_ = true;
        auto* inversion = window_->module<InversionModule>()->panel();
        inversion->setLayersText(request_.invert);
        inversion->run();
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (!experimented_) {
        experimented_ = true;
        if (startImageExperiments()) {
            QTimer::singleShot(300, this, &LaunchScript::checkIdle);
            return;
        }
    }
    if (request_.circuit && !circuited_) {
        circuited_ = true;
        window_->module<CircuitModule>()->panel()->compute();
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (!request_.atlas.isEmpty() && !atlased_) {
        atlased_ = true;
        window_->module<AtlasModule>()->panel()->setImageMapMode(request_.imageMap);
        window_->module<AtlasModule>()->panel()->setColourByClass(request_.classColours);
        window_->module<AtlasModule>()->panel()->build(request_.atlas);
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (request_.concept >= 0 && !conceptShown_) {
        conceptShown_ = true;
        window_->module<ConceptsModule>()->panel()->selectConcept(request_.concept);
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (!request_.dissect.isEmpty() && !dissected_) {
        dissected_ = true;
        auto* module = window_->module<DissectionModule>();
        const QDir folder(request_.dissect);
        if (folder.exists(QStringLiteral("concepts.csv")) || !folder.exists()) {
            module->requestSynthetic(request_.dissect, 600);
        } else {
            module->panel()->setFolder(request_.dissect);
            module->panel()->run();
        }
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (request_.dissectUnit >= 0 && !dissectUnitShown_) {
        dissectUnitShown_ = true;
        window_->module<DissectionModule>()->panel()->showUnit(request_.dissectUnit);
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (!request_.explain.isEmpty() && !explained_) {
        explained_ = true;
        const QStringList classes = request_.explain.split(QLatin1Char(','));
        const QString first =
            classes.value(0) == QStringLiteral("top") ? QString() : classes.value(0);
        auto* panel = window_->module<DecisionModule>()->panel();
        panel->setClasses(first, classes.value(1));
        panel->run();
        QTimer::singleShot(300, this, &LaunchScript::checkIdle);
        return;
    }
    if (continueCurveDetectors())
        return;
    if (!request_.exportFigure.isEmpty() && !exported_) {
        exported_ = true;
        const QString error = window_->exportDock(request_.dock, request_.exportFigure);
        std::fprintf(stderr, error.isEmpty() ? "loupe: figure saved to %s\n" : "loupe: %s\n",
            qPrintable(error.isEmpty() ? request_.exportFigure : error));
    }
    // Let queued results paint before grabbing.
    if (!request_.screenshot.isEmpty())
        QTimer::singleShot(700, this, &LaunchScript::takeScreenshot);
}

bool LaunchScript::continueCurveDetectors()
{
    const auto wait = [this] { QTimer::singleShot(300, this, &LaunchScript::checkIdle); };
    if (!request_.curves.isEmpty() && !curvesShown_) {
        curvesShown_ = true;
        auto* panel = window_->module<CurvesModule>()->panel();
        panel->setFamily(request_.curves);
        panel->setOrientationColour(request_.orientationColour);
        panel->run();
        if (request_.trace > 0) {
            panel->setStrokeCount(request_.trace);
            panel->trace();
        }
        if (request_.curvesMeasure)
            panel->measure();
        wait();
        return true;
    }
    if (!request_.ablate.isEmpty() && !ablated_) {
        ablated_ = true;
        auto* panel = window_->module<EditsModule>()->panel();
        const QString kind = request_.ablate.section(QLatin1Char(' '), 0, 0);
        QString units = request_.ablate.section(QLatin1Char(' '), 1);
        int input = -1;
        if (kind == QStringLiteral("cut")) {
            input = units.section(QStringLiteral("<-"), 1).toInt();
            units = units.section(QStringLiteral("<-"), 0, 0);
        }
        const ModelEdit::Kind k = kind == QStringLiteral("mean") ? ModelEdit::Kind::MeanUnit
            : kind == QStringLiteral("cut")                      ? ModelEdit::Kind::CutWeights
                                                                 : ModelEdit::Kind::ZeroUnit;
        if (panel->addEdits(k, units, input))
            panel->apply();
        wait();
        return true;
    }
    if (ablated_ && !request_.editTuning.isEmpty() && !editTuned_) {
        editTuned_ = true;
        window_->module<EditsModule>()->panel()->setDownstreamUnit(request_.editTuning);
        window_->module<EditsModule>()->requestTuning(request_.editTuning);
        wait();
        return true;
    }
    if (ablated_ && !request_.editAccuracy.isEmpty() && !editMeasured_) {
        editMeasured_ = true;
        window_->module<EditsModule>()->panel()->setRandomControl(true);
        window_->module<EditsModule>()->requestAccuracy(request_.editAccuracy, true);
        wait();
        return true;
    }
    if (ablated_ && request_.editOcclusion && !editOccluded_) {
        editOccluded_ = true;
        window_->module<EditsModule>()->requestOcclusion();
        wait();
        return true;
    }
    if (!request_.timeline.isEmpty() && !timelined_) {
        timelined_ = true;
        auto* panel = window_->module<TimelineModule>()->panel();
        panel->setFolder(request_.timeline);
        panel->setExamplesFolder(request_.timelineImages);
        panel->run();
        wait();
        return true;
    }
    return false;
}

bool LaunchScript::startImageExperiments()
{
    bool started = false;
    const int steps = request_.steps;
    if (!request_.dream.isEmpty()) {
        auto* dream = window_->module<DreamModule>()->panel();
        dream->setObjectiveText(request_.dream);
        if (steps > 0)
            dream->setStepsPerOctave(steps);
        dream->run();
        started = true;
    }
    if (!request_.style.isEmpty()) {
        auto* style = window_->module<StyleModule>()->panel();
        style->setStylePath(request_.style);
        if (steps > 0)
            style->setSteps(steps);
        style->run();
        started = true;
    }
    if (!request_.attack.isEmpty()) {
        auto* adversarial = window_->module<AdversarialModule>()->panel();
        if (steps > 0)
            adversarial->setSteps(steps);
        if (request_.attack == QStringLiteral("min-epsilon"))
            adversarial->searchEpsilon();
        else if (request_.attack.startsWith(QStringLiteral("fooling:")))
            window_->module<AdversarialModule>()->requestFooling(
                request_.attack.mid(8).toInt(), std::max(100, steps));
        else {
            if (request_.attack == QStringLiteral("fgsm"))
                adversarial->setMethod(AttackConfig::Method::Fgsm);
            adversarial->run();
        }
        started = true;
    }
    if (!request_.shapeBias.isEmpty() || !request_.degrade.isEmpty()) {
        auto* panel = window_->module<TextureShapeModule>()->panel();
        if (steps > 0)
            panel->setSteps(steps);
        if (request_.pairs > 0)
            panel->setPairs(request_.pairs);
        if (!request_.shapeBias.isEmpty()) {
            panel->setFolder(request_.shapeBias);
            panel->runShapeBias();
        }
        if (!request_.degrade.isEmpty()) {
            panel->setFolder(request_.degrade);
            panel->runDegradations();
        }
        started = true;
    }
    return started;
}

void LaunchScript::takeScreenshot()
{
    if (scriptJobsRunning()) {
        checkIdle();
        return;
    }
    const bool ok = window_->grab().save(request_.screenshot);
    std::fprintf(stderr,
        ok ? "loupe: screenshot saved to %s\n" : "loupe: cannot write screenshot %s\n",
        qPrintable(request_.screenshot));
    QApplication::exit(!ok ? 1 : modelFailed_ ? 2 : 0);
}

}  // namespace loupe::app
