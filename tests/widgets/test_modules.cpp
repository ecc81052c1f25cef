// Each feature module on its own: built from an AppContext with a fake shell, without the
// MainWindow, on a small test model. End-to-end paths stay in test_main_window.
#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/modules/activations_module.h"
#include "app/modules/atlas_module.h"
#include "app/modules/attribution_module.h"
#include "app/modules/circuit_module.h"
#include "app/modules/concepts_module.h"
#include "app/modules/dataset_module.h"
#include "app/modules/decision_module.h"
#include "app/modules/dissection_module.h"
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
#include "app/modules/weights_module.h"
#include "app/saved_records.h"
#include "app/thumbnail_service.h"
#include "core/activations.h"
#include "core/concept_dictionary_store.h"
#include "core/image_io.h"
#include "core/workspace.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"
#include "tests/widgets/module_harness.h"
#include "widgets/atlas_panel.h"
#include "widgets/circuit_panel.h"
#include "widgets/concepts_panel.h"
#include "widgets/decision_panel.h"
#include "widgets/dissection_panel.h"
#include "widgets/distribution_panel.h"
#include "widgets/examples_panel.h"
#include "widgets/occlusion_panel.h"
#include "widgets/tuning_panel.h"
#include "widgets/attribution_evidence.h"
#include "widgets/attribution_panel.h"
#include "widgets/dictionary_panel.h"
#include "widgets/adversarial_panel.h"
#include "widgets/dream_panel.h"
#include "widgets/inversion_panel.h"
#include "widgets/style_panel.h"
#include "widgets/texture_shape_panel.h"
#include "widgets/neuron_panel.h"
#include "widgets/nmf_panel.h"
#include "widgets/unit_selection.h"
#include "widgets/weights_panel.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>

#include <cmath>
#include <functional>
#include <memory>
#include <set>

using namespace loupe;
using test::barImage;
using test::Harness;

Q_DECLARE_METATYPE(loupe::widgets::JobState)

class TestModules : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qRegisterMetaType<widgets::JobState>();
        QStandardPaths::setTestModeEnabled(true);
        qputenv("LOUPE_DATA_DIR", data_.path().toUtf8());
        model_ = QString::fromStdString(test::writeBranchyCnn(dir_.path().toStdString()));
    }

    // The window lays docks out and saves layouts by these names: unique, named, exportable.
    void everyModuleDeclaresNamedExportableDocks()
    {
        Harness h;
        QObject parent;
        const std::vector<app::FeatureModule*> modules = {
            new app::ActivationsModule(h.context, &parent),
            new app::WeightsModule(h.context, &parent),
            new app::DictionaryModule(h.context, &parent),
            new app::AttributionModule(h.context, &parent),
            new app::OcclusionModule(h.context, &parent), new app::NeuronModule(h.context, &parent),
            new app::DatasetModule(h.context, &parent), new app::TuningModule(h.context, &parent),
            new app::CircuitModule(h.context, &parent), new app::NmfModule(h.context, &parent),
            new app::AtlasModule(h.context, &parent), new app::InversionModule(h.context, &parent),
            new app::DreamModule(h.context, &parent), new app::StyleModule(h.context, &parent),
            new app::AdversarialModule(h.context, &parent),
            new app::TextureShapeModule(h.context, &parent),
            new app::ConceptsModule(h.context, &parent),
            new app::DissectionModule(h.context, &parent),
            new app::DecisionModule(h.context, &parent)};
        std::set<QString> names;
        int docks = 0;
        for (auto* module : modules) {
            for (const auto& d : module->docks()) {
                ++docks;
                QVERIFY(d.panel);
                QVERIFY(!d.title.isEmpty() && !d.exportLabel.isEmpty());
                QVERIFY2(names.insert(d.name).second, qPrintable(d.name));
                delete d.panel;  // in the window, docks own their panels
            }
        }
        QCOMPARE(docks, 20);
    }

    void decisionChannelsAddUpOnALinearPath()
    {
        Harness h;
        app::DecisionModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QVERIFY(h.open(model_, barImage()));
        h.selection.selectLayer(QStringLiteral("pool"));
        QSignalSpy done(&module, &app::DecisionModule::explained);
        module.requestExplanation({}, {});
        QVERIFY(h.wait([&] { return done.count() == 1; }));
        const auto& e = module.panel()->explanation();
        QVERIFY(e.linearPath);
        QVERIFY(std::abs(e.explained - (e.logit - e.biasPath)) < 1e-4);
        QVERIFY(module.panel()->rows() > 0);
        // By name, against another class.
        module.requestExplanation(QStringLiteral("two"), QStringLiteral("zero"));
        QVERIFY(h.wait([&] { return done.count() == 2; }));
        QCOMPARE(module.panel()->explanation().classA, 2);
        QCOMPARE(module.panel()->explanation().classB, 0);
        QSignalSpy failed(&module, &app::DecisionModule::failed);
        module.requestExplanation(QStringLiteral("no such class"), {});
        QVERIFY(h.wait([&] { return failed.count() == 1; }));
    }

    void activationsFollowTheSelectedLayerAndArePublished()
    {
        Harness h;
        app::ActivationsModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.docks().front().panel);
        QSignalSpy published(&h.session, &app::ModelSession::activationsChanged);
        QVERIFY(h.open(model_, barImage()));
        h.selection.selectLayer("block");
        QVERIFY(h.wait([&] { return !published.isEmpty(); }));
        QCOMPARE(published.last().at(0).value<LayerActivations>().channels, 8);
    }

    void weightsOfTheSelectedLayer()
    {
        Harness h;
        app::WeightsModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QVERIFY(h.open(model_, barImage()));
        h.selection.selectLayer("conv1");
        QVERIFY(h.wait([&] { return module.panel()->weights().colourFilters.size() == 4; }));
    }

    // A thumbnail that fails belongs to the dictionary that asked: the Neuron dock (which once
    // received every feature-vis failure) is left alone.
    void dictionaryThumbnailFailureLeavesTheNeuronDockAlone()
    {
        Harness h;
        app::NeuronModule neuron(h.context, nullptr);
        app::DictionaryModule dictionary(h.context, nullptr);
        std::unique_ptr<QWidget> owners[] = {
            std::unique_ptr<QWidget>(neuron.panel()), std::unique_ptr<QWidget>(dictionary.panel())};
        QVERIFY(h.open(model_, barImage()));
        QSignalSpy neuronFailures(&neuron, &app::NeuronModule::featureVisFailed);
        const QString neuronStatus = neuron.panel()->status();
        emit dictionary.panel()->thumbnailsWanted(
            "block", {99});  // no channel 99: the render fails
        QVERIFY(h.wait([&] { return dictionary.panel()->status().contains("Thumbnails"); }));
        QVERIFY2(dictionary.panel()->status().contains("99") ||
                dictionary.panel()->status().contains("range"),
            qPrintable(dictionary.panel()->status()));
        QCOMPARE(neuronFailures.count(), 0);
        QCOMPARE(neuron.panel()->status(), neuronStatus);
    }

    // The scheduler (#22): with a long Neuron render running, a dictionary click's thumbnails
    // start at the render's next step and are delivered while it still runs; the render shows
    // as paused meanwhile and then goes on.
    void dictionaryThumbnailsOvertakeALongRender()
    {
        Harness h;
        app::NeuronModule neuron(h.context, nullptr);
        app::DictionaryModule dictionary(h.context, nullptr);
        std::unique_ptr<QWidget> owners[] = {
            std::unique_ptr<QWidget>(neuron.panel()), std::unique_ptr<QWidget>(dictionary.panel())};
        QVERIFY(h.open(model_, barImage()));
        QSignalSpy added(&h.jobs, &app::JobRunner::jobAdded);
        QSignalSpy states(&h.jobs, &app::JobRunner::jobStateChanged);
        QSignalSpy finished(&h.jobs, &app::JobRunner::jobFinished);
        QSignalSpy previews(&neuron, &app::NeuronModule::featureVisProgress);
        QSignalSpy rendered(&neuron, &app::NeuronModule::featureVisReady);
        FeatureVisConfig longRender;
        longRender.objective = ObjectiveTerm::parse("channel:block:2");
        longRender.size = 64;
        longRender.steps = 20000;
        longRender.previewEvery = 1;
        FeatureVisConfig none;
        none.steps = 0;
        emit neuron.panel()->renderRequested(longRender, none);
        QVERIFY(h.wait([&] { return previews.count() >= 3; }));

        emit dictionary.panel()->thumbnailsWanted("block", {0, 1, 2});
        const auto idNamed = [&](const QString& prefix) {
            for (const auto& a : added)
                if (a.at(1).toString().startsWith(prefix))
                    return a.at(0).toInt();
            return -1;
        };
        const int render = idNamed("Feature vis"), thumbnails = idNamed("Thumbnails");
        QVERIFY(render > 0 && thumbnails > 0);
        const auto ended = [&](int id) {
            return std::any_of(finished.begin(), finished.end(),
                [id](const QList<QVariant>& f) { return f.at(0).toInt() == id; });
        };
        QVERIFY(h.wait([&] { return ended(thumbnails); }));
        QCOMPARE(rendered.count(), 0);  // the render had not finished: it let them through
        QVERIFY(!ended(render));
        bool paused = false;
        for (const auto& st : states)
            paused = paused ||
                (st.at(0).toInt() == render &&
                    st.at(1).value<widgets::JobState>() == widgets::JobState::Paused);
        QVERIFY(paused);
        const int previewsAfter = int(previews.count());
        QVERIFY(h.wait([&] { return previews.count() > previewsAfter + 2; }));  // it goes on
        h.jobs.cancelAll();
        QVERIFY(h.wait([&] { return h.jobs.runningCount() == 0; }));
    }

    // A direction the atlas cannot save is the atlas's failure: the NMF dock (which once
    // cleared its factors on it) keeps them.
    void atlasSaveFailureLeavesTheNmfFactors()
    {
        Harness h;
        app::NmfModule nmf(h.context, nullptr);
        app::AtlasModule atlas(h.context, nullptr);
        std::unique_ptr<QWidget> owners[] = {
            std::unique_ptr<QWidget>(nmf.panel()), std::unique_ptr<QWidget>(atlas.panel())};
        QVERIFY(h.open(model_, barImage()));
        h.selection.selectLayer("block");
        QSignalSpy rendered(&nmf, &app::NmfModule::nmfFactorImagesReady);
        nmf.panel()->setK(3);
        nmf.panel()->run();
        QVERIFY(h.wait([&] { return rendered.count() == 1; }));
        QCOMPARE(nmf.panel()->factorCount(), 3);
        emit atlas.panel()->saveDirectionRequested(
            "not:allowed", "block", std::vector<float>(8, 1.f));
        QVERIFY(h.wait([&] { return atlas.panel()->status().contains("Not saved"); }));
        QCOMPARE(nmf.panel()->factorCount(), 3);
        QVERIFY(!nmf.panel()->status().contains("Not saved"));
    }

    void attributionOfTheTopClassAndOfAUnit_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("target");
        QTest::newRow("saliency, class") << "saliency"
                                         << "class:1";
        QTest::newRow("guided, unit") << "guided"
                                      << "unit:block:6";
        QTest::newRow("gradcam, unit") << "gradcam"
                                       << "unit:block:6";
    }
    void attributionOfTheTopClassAndOfAUnit()
    {
        QFETCH(QString, method);
        QFETCH(QString, target);
        Harness h;
        app::AttributionModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QVERIFY(h.open(model_, barImage()));
        QSignalSpy maps(&module, &app::AttributionModule::attributionReady);
        module.requestAttribution({method}, target, "block");
        QVERIFY(h.wait([&] { return maps.count() == 1; }));
        const auto map = maps.first().at(1).value<AttributionMap>();
        QCOMPARE(map.width, 32);
        QCOMPARE(module.panel()->mapCount(), 1);
    }

    void occlusionWithoutAnImageSaysSo()
    {
        Harness h;
        app::OcclusionModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QSignalSpy failed(&module, &app::OcclusionModule::occlusionFailed);
        module.requestOcclusion("heat", "prob:0", 8, 4, "grey");
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.first().at(0).toString().contains("Open an image"));
    }

    void circuitOfAConvUnit()
    {
        Harness h;
        app::CircuitModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QVERIFY(h.open(model_, barImage()));
        QSignalSpy ready(&module, &app::CircuitModule::circuitReady);
        module.requestCircuit("block.b2.conv", 1, 4);
        QVERIFY(h.wait([&] { return ready.count() == 1; }));
        QVERIFY(!ready.first().at(0).value<CircuitResult>().contributions.empty());
    }

    void tuningSweepOfAUnit()
    {
        Harness h;
        app::TuningModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QVERIFY(
            h.open(QString::fromStdString(test::writeCurveDetector(dir_.path().toStdString(), 60)),
                RgbImage(48, 48)));
        QSignalSpy sweeps(&module, &app::TuningModule::tuningSweepReady);
        widgets::TuningRequest request;
        request.stimulus = "curve";
        request.sweep = "orientation=0:360:30";
        request.layer = "conv1";
        request.channels = {0};
        module.requestTuning(request);
        QVERIFY(h.wait([&] { return sweeps.count() == 1; }));
        QCOMPARE(sweeps.first().at(0).value<SweepResult>().stimuli(), 12);
    }

    void inversionReconstructsTheImageAtEachLayer()
    {
        Harness h;
        app::InversionModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QSignalSpy failed(&module, &app::InversionModule::inversionFailed);
        module.requestInversion({"conv1"}, 20, 0.02);
        QCOMPARE(failed.count(), 1);  // no image yet
        QVERIFY(h.open(model_, barImage()));
        QSignalSpy ready(&module, &app::InversionModule::inversionReady);
        module.requestInversion({"conv1", "block"}, 60, 0.02);
        QVERIFY(h.wait([&] { return ready.count() == 1; }));
        const auto inversion = ready.first().at(0).value<Inversion>();
        QCOMPARE(inversion.layers.size(), size_t(2));
        for (const auto& l : inversion.layers)
            QVERIFY(l.finalError < l.initialError);
        QCOMPARE(module.panel()->reconstructionCount(), 2);
        QVERIFY(module.panel()->exportData().count('\n') == 1 + 2 * 60);
    }

    // Every map arrives with its deletion / insertion metrics; the sanity check and the heavy
    // metrics run on request for the maps shown; a drawn box adds localisation; all of it is
    // in the export sidecar, and a method that fails its check is named in the warning.
    void attributionShowsItsEvidence()
    {
        Harness h;
        app::AttributionModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QVERIFY(h.open(model_, barImage()));
        QSignalSpy metrics(&module, &app::AttributionModule::metricsReady);
        QSignalSpy sanity(&module, &app::AttributionModule::sanityReady);
        QSignalSpy heavy(&module, &app::AttributionModule::heavyMetricsReady);
        module.panel()->setClassTarget(QStringLiteral("1"));
        QVERIFY(module.panel()->setMethod(QStringLiteral("saliency")));
        module.panel()->compute();
        QVERIFY(h.wait([&] { return metrics.count() == 1; }));
        const auto m = metrics.first().at(1).value<AttributionMetrics>();
        QCOMPARE(int(m.deletion.scores.size()), 17);
        QCOMPARE(module.panel()->evidence()->rowCount(), 1);
        QVERIFY(module.panel()->evidence()->hasMetrics(QStringLiteral("saliency")));

        module.panel()->requestSanityCheck();
        module.panel()->requestHeavyMetrics();
        QVERIFY(h.wait([&] { return sanity.count() == 1 && heavy.count() == 1; }));
        const auto report = sanity.first().at(1).value<SanityReport>();
        QCOMPARE(report.cascade.size(), size_t(3));  // head, block, conv1
        QVERIFY(module.panel()->evidence()->hasSanity(QStringLiteral("saliency")));
        QCOMPARE(module.panel()->evidence()->warningText().isEmpty(), !report.flagged);

        module.panel()->setObjectBox(QRect(4, 4, 10, 10));
        const QJsonObject evidence = module.panel()
                                         ->exportParameters()
                                         .value(QStringLiteral("evidence"))
                                         .toObject()
                                         .value(QStringLiteral("saliency"))
                                         .toObject();
        QVERIFY(evidence.contains(QStringLiteral("deletion")));
        QVERIFY(evidence.contains(QStringLiteral("mu_fidelity")));
        QCOMPARE(evidence.value(QStringLiteral("randomisation")).toArray().size(), 3);
        QVERIFY(evidence.contains(QStringLiteral("energy_in_box")));
        QVERIFY(h.wait([&] { return h.jobs.runningCount() == 0; }));
    }

    // Any class can be explained, by name (completed from the model's labels) or number.
    void attributionExplainsAnyClassByName()
    {
        Harness h;
        app::AttributionModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QVERIFY(h.open(model_, barImage()));
        QSignalSpy requested(module.panel(), &widgets::AttributionPanel::attributionRequested);
        module.panel()->setClassTarget(QStringLiteral("TWO"));
        module.panel()->compute();
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.first().at(1).toString(), QStringLiteral("class:2"));
        module.panel()->setClassTarget(QStringLiteral("1"));
        module.panel()->compute();
        QCOMPARE(requested.last().at(1).toString(), QStringLiteral("class:1"));
        module.panel()->setClassTarget(QStringLiteral("three"));
        module.panel()->compute();
        QCOMPARE(requested.count(), 2);  // not a class: nothing asked, the status says why
        QVERIFY2(module.panel()->status().contains("none of the model's classes"),
            qPrintable(module.panel()->status()));
        QVERIFY(h.wait([&] { return h.jobs.runningCount() == 0; }));
    }

    void deepDreamStartsFromTheImageAndRaisesItsObjective()
    {
        Harness h;
        app::DreamModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QSignalSpy failed(&module, &app::DreamModule::dreamFailed);
        DreamConfig config;
        config.objective = "layer:block";
        config.octaves = 2;
        config.stepsPerOctave = 10;
        module.requestDream(config);
        QCOMPARE(failed.count(), 1);  // no image yet
        QVERIFY(h.open(model_, barImage()));
        QSignalSpy ready(&module, &app::DreamModule::dreamReady);
        module.requestDream(config);
        QVERIFY(h.wait([&] { return ready.count() == 1; }));
        const auto dream = ready.first().at(0).value<Dream>();
        QVERIFY(dream.finalObjective > dream.initialObjective);
        QVERIFY(module.panel()->hasResult());
        QCOMPARE(module.panel()->exportData().count('\n'), 1 + 20);
    }

    void styleTransferReadsTheStylePhotoAndReportsABrokenOne()
    {
        Harness h;
        app::StyleModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QVERIFY(h.open(model_, barImage()));
        const QString stylePath = dir_.filePath("style.png");
        saveImage(test::noiseImage(40, 30, 5), stylePath.toStdString());
        StyleConfig config;
        config.contentLayer = "conv1";
        config.styleLayers = {"conv1", "block"};
        config.steps = 20;
        QSignalSpy ready(&module, &app::StyleModule::styleReady);
        module.requestStyle(stylePath, config);
        QVERIFY(h.wait([&] { return ready.count() == 1; }));
        const auto result = ready.first().at(0).value<StyleTransfer>();
        QCOMPARE(int(result.styleLoss.size()), 20);
        QVERIFY(result.styleLoss.back() < result.styleLoss.front());
        QVERIFY(module.panel()->hasResult());

        QFile broken(dir_.filePath("broken.png"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not an image");
        broken.close();
        QSignalSpy failed(&module, &app::StyleModule::styleFailed);
        module.requestStyle(broken.fileName(), config);
        QVERIFY(h.wait([&] { return failed.count() == 1; }));
        QVERIFY(!failed.first().at(0).toString().isEmpty());
    }

    void adversarialAttacksSearchesEpsilonAndTransfers()
    {
        Harness h;
        app::AdversarialModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QSignalSpy failed(&module, &app::AdversarialModule::attackFailed);
        QVERIFY(h.open(model_, barImage()));
        AttackConfig config;
        config.epsilon = 0;
        module.requestAttack(config);
        QVERIFY(h.wait([&] { return failed.count() == 1; }));
        QVERIFY2(failed.first().at(0).toString().contains("epsilon"),
            qPrintable(failed.first().at(0).toString()));

        config.epsilon = 24;
        config.stepSize = 4;
        config.steps = 20;
        QSignalSpy ready(&module, &app::AdversarialModule::attackReady);
        module.requestAttack(config);
        QVERIFY(h.wait([&] { return ready.count() == 1; }));
        const auto attack = ready.first().at(0).value<Attack>();
        QVERIFY(attack.linfPixels <= 24.f);
        QVERIFY(module.panel()->hasResult());
        QVERIFY(module.panel()->exportParameters().contains("before"));

        // Transfer to a second model file (another seed of the same architecture).
        QVERIFY(QDir().mkpath(dir_.filePath("second")));
        const QString second = QString::fromStdString(
            test::writeBranchyCnn(dir_.path().toStdString() + "/second", true, 7));
        module.requestTransfer(second);
        QVERIFY(h.wait([&] {
            return h.jobs.runningCount() == 0 && module.panel()->status().contains("transfer");
        }));
    }

    void theDegradationTableIsShownForALabelledFolder()
    {
        Harness h;
        app::TextureShapeModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QVERIFY(h.open(model_, barImage()));
        QTemporaryDir photos;
        for (const char* label : {"zero", "one", "two"}) {
            QDir().mkpath(photos.filePath(label));
            saveImage(test::noiseImage(40, 40, std::uint64_t(label[1])),
                photos.filePath(QStringLiteral("%1/a.png").arg(label)).toStdString());
        }
        module.requestDegradations(photos.path(), {}, 0);
        QVERIFY(h.wait([&] { return module.panel()->degradationRows() == 5; }));
        QSignalSpy failed(&module, &app::TextureShapeModule::failed);
        QTemporaryDir empty;
        module.requestShapeBias(empty.path(), 2, 10);
        QVERIFY(h.wait([&] { return failed.count() == 1; }));
        QVERIFY2(failed.first().at(0).toString().contains("labelled photos"),
            qPrintable(failed.first().at(0).toString()));
        module.requestShapeBias(photos.path(), 2, 10);
        QVERIFY(h.wait([&] { return module.panel()->pairRows() == 2; }));
    }

    // The GUI's "Start a New Workspace" (offered when a workspace is damaged): the old file is
    // moved aside with everything still in it, and a fresh one takes its place.
    void aDamagedWorkspaceIsMovedAsideNotDeleted()
    {
        Harness h;
        QVERIFY(h.open(model_, barImage()));
        auto old = h.session.workspace();
        QVERIFY(old);
        const std::string file = old->file();
        old->put("kind", "kept", "still here");
        QString movedTo, failure;
        QSignalSpy changed(&h.session, &app::ModelSession::workspaceChanged);
        h.session.startNewWorkspace([&](const QString& path) { movedTo = path; },
            [&](const QString& message) { failure = message; });
        QVERIFY(h.wait([&] { return !movedTo.isEmpty() || !failure.isEmpty(); }));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QCOMPARE(changed.count(), 1);
        QVERIFY(movedTo.contains(".damaged-"));
        QCOMPARE(*Workspace::openExisting(movedTo.toStdString())->get("kind", "kept"),
            std::string("still here"));
        QCOMPARE(h.session.workspace()->file(), file);
        QVERIFY(!h.session.workspace()->get("kind", "kept"));
    }

private:
    QTemporaryDir dir_, data_;
    QString model_;
};

QTEST_MAIN(TestModules)
#include "test_modules.moc"
