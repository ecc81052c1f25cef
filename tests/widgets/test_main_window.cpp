// The app as a user drives it: open a model, open an image, pick layers and units.

#include "app/job_runner.h"
#include "app/main_window.h"
#include "app/model_session.h"
#include "app/modules/activations_module.h"
#include "app/modules/atlas_module.h"
#include "app/modules/attribution_module.h"
#include "app/modules/circuit_module.h"
#include "app/modules/dataset_module.h"
#include "app/modules/dictionary_module.h"
#include "app/modules/neuron_module.h"
#include "app/modules/nmf_module.h"
#include "app/modules/occlusion_module.h"
#include "app/modules/tuning_module.h"
#include "app/modules/weights_module.h"
#include "app/saved_records.h"
#include "core/builtin_model.h"
#include "core/image_io.h"
#include "core/stimulus.h"
#include "core/tuning.h"
#include "tests/support/test_models.h"
#include "tests/widgets/window_harness.h"
#include "widgets/activations_panel.h"
#include "widgets/channel_grid.h"
#include "widgets/image_panel.h"
#include "widgets/layer_browser.h"
#include "widgets/neuron_panel.h"
#include "widgets/examples_panel.h"
#include "widgets/attribution_panel.h"
#include "widgets/dictionary_panel.h"
#include "widgets/distribution_panel.h"
#include "widgets/figure_export.h"
#include "widgets/tuning_panel.h"
#include "widgets/occlusion_panel.h"
#include "widgets/circuit_panel.h"
#include "widgets/nmf_panel.h"
#include "widgets/atlas_panel.h"
#include "widgets/unit_selection.h"
#include "widgets/weights_panel.h"

#include <QDockWidget>
#include <QJsonArray>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScrollArea>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QTreeWidget>
#include <QtTest>

using namespace loupe;
using test::openAndWait;
using test::openImageAndWait;
using test::whileJobsRun;

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // Workspaces (results are cached there) live in a fresh folder, never in the user's.
        qputenv("LOUPE_DATA_DIR", sharedData_.path().toUtf8());
        QCoreApplication::setOrganizationName("LoupeTest");
        QSettings().clear();
        model_ = QString::fromStdString(test::writeBranchyCnn(dir_.path().toStdString()));
        image_ = dir_.filePath("bars.png");
        RgbImage img(50, 40);
        for (int y = 5; y < 35; ++y)
            std::fill(img.pixel(20, y), img.pixel(20, y) + 3, 255);
        saveImage(img, image_.toStdString());
    }

    void openModelImageAndBrowseLayers()
    {
        app::MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, model_));
        QVERIFY(window.layerBrowser()->visibleLayerCount() >= 10);
        QVERIFY(!window.selection()->layer().isEmpty());

        QVERIFY(openImageAndWait(window, image_));
        window.selection()->selectLayer("block");
        WAIT_FOR_COMPARE(
            window, window.module<app::ActivationsModule>()->panel()->grid()->tileCount(), 8);
        QCOMPARE(window.module<app::ActivationsModule>()->panel()->activations().layer,
            std::string("block"));
        WAIT_FOR_COMPARE(window, window.imagePanel()->predictionLines().size(), 3);

        // Clicking a channel selects the unit everywhere.
        const QRect tile = window.module<app::ActivationsModule>()->panel()->grid()->tileRect(6);
        window.module<app::ActivationsModule>()->panel()->grid()->show();
        QTest::mouseClick(window.module<app::ActivationsModule>()->panel()->grid(), Qt::LeftButton,
            {}, tile.center());
        QCOMPARE(window.selection()->unitText(), QString("block:6"));

        // A first-layer conv shows colour filters in the Weights dock.
        window.selection()->selectLayer("conv1");
        WAIT_FOR_COMPARE(window,
            window.module<app::WeightsModule>()->panel()->weights().colourFilters.size(),
            size_t(4));
        WAIT_FOR_COMPARE(window,
            window.module<app::ActivationsModule>()->panel()->activations().layer,
            std::string("conv1"));

        // Pre-ReLU toggle recomputes with negative values visible.
        window.selection()->selectLayer("block");
        WAIT_FOR_COMPARE(window,
            window.module<app::ActivationsModule>()->panel()->activations().layer,
            std::string("block"));
        window.jobs()->waitForIdle(10000);
        QTest::qWait(50);
    }

    void selectingAUnitRendersItsFeatureVisualization()
    {
        QTemporaryDir data;
        qputenv("LOUPE_DATA_DIR", data.path().toUtf8());
        app::MainWindow window;
        QVERIFY(openAndWait(window, model_));
        window.module<app::NeuronModule>()->panel()->setDefaultSize(32);
        QSignalSpy results(window.module<app::NeuronModule>(), &app::NeuronModule::featureVisReady);
        QSignalSpy previews(
            window.module<app::NeuronModule>(), &app::NeuronModule::featureVisProgress);
        window.selection()->selectUnit("block", 2);
        WAIT_FOR_COMPARE(window, results.count(), 2);  // positive and negative
        QVERIFY(!window.module<app::NeuronModule>()->panel()->positiveImage().isNull());
        QVERIFY(!window.module<app::NeuronModule>()->panel()->negativeImage().isNull());
        QVERIFY(previews.count() > 0);  // images arrived while the job ran
        QCOMPARE(results.first().at(2).toBool(), false);

        // Selecting it again is served from the workspace cache.
        window.selection()->selectUnit("block", 3);
        WAIT_FOR_COMPARE(window, results.count(), 4);
        window.selection()->selectUnit("block", 2);
        WAIT_FOR_COMPARE(window, results.count(), 6);
        QCOMPARE(results.last().at(2).toBool(), true);

        // A typed objective (an interaction of two units) renders too; a bad one is explained.
        window.module<app::NeuronModule>()->panel()->setObjectiveText("block:1+block:6");
        window.module<app::NeuronModule>()->panel()->requestRender();
        WAIT_FOR_COMPARE(window, results.count(), 8);
        window.module<app::NeuronModule>()->panel()->setObjectiveText("block:99");
        QSignalSpy failures(
            window.module<app::NeuronModule>(), &app::NeuronModule::featureVisFailed);
        window.module<app::NeuronModule>()->panel()->requestRender();
        WAIT_FOR(window, failures.count() >= 1);
        QVERIFY(failures.first().at(0).toString().contains("out of range"));
        window.module<app::NeuronModule>()->panel()->setObjectiveText("block:");
        window.module<app::NeuronModule>()->panel()->requestRender();
        QVERIFY(window.module<app::NeuronModule>()->panel()->status().contains("Objective"));
        window.module<app::NeuronModule>()->panel()->setObjectiveText(QString());

        // The whole layer fills the grid, one tile per channel.
        QSignalSpy tiles(window.module<app::NeuronModule>(), &app::NeuronModule::layerChannelReady);
        window.module<app::NeuronModule>()->panel()->requestLayerRender();
        WAIT_FOR_COMPARE(window, tiles.count(), 8);
        QCOMPARE(window.module<app::NeuronModule>()->panel()->layerGrid()->tileCount(), 8);
        // The exported figure carries the layer's grid under the images and the plot, and its
        // sidecar says which objective and which layer render it shows.
        const QJsonObject parameters =
            window.module<app::NeuronModule>()->panel()->exportParameters();
        QCOMPARE(parameters.value("objective").toString(), QString("channel:block:2"));
        QCOMPARE(parameters.value("layer_render_channels").toInt(), 8);
        QTemporaryDir figures;
        QVERIFY(widgets::exportFigure(
            *window.module<app::NeuronModule>()->panel(), figures.filePath("neuron.png"), 72, {})
                    .ok);
        QCOMPARE(QImage(figures.filePath("neuron.png")).height(),  // below its title, "Neuron"
            window.module<app::NeuronModule>()->panel()->exportSize().height() +
                widgets::kFigureTitleHeight);
        window.jobs()->waitForIdle(15 * 60 * 1000);  // follows the jobs; the cap only catches hangs
        qputenv("LOUPE_DATA_DIR", sharedData_.path().toUtf8());
    }

    void scanningAFolderFillsExamplesAndDistribution()
    {
        QTemporaryDir data, images;
        qputenv("LOUPE_DATA_DIR", data.path().toUtf8());
        for (int i = 0; i < 12; ++i) {
            RgbImage img(40, 40);
            for (size_t p = 0; p < img.pixels.size(); ++p)
                img.pixels[p] = std::uint8_t((p * (i + 3)) % 251);
            saveImage(img, images.filePath(QString("img%1.png").arg(i)).toStdString());
        }
        app::MainWindow window;
        QVERIFY(openAndWait(window, model_));
        QVERIFY(!window.session()->hasScan());
        // The unit is selected before there is a scan: its examples appear when the scan ends.
        window.selection()->selectUnit("block", 4);
        window.jobs()->waitForIdle(15 * 60 * 1000);  // follows the jobs; the cap only catches hangs
        QSignalSpy examples(
            window.module<app::DatasetModule>(), &app::DatasetModule::examplesReady);
        QSignalSpy scanned(window.module<app::DatasetModule>(), &app::DatasetModule::scanFinished);
        window.module<app::DatasetModule>()->scanFolder(images.path(), {"block", "conv1"});
        WAIT_FOR_COMPARE(window, scanned.count(), 1);
        QVERIFY(scanned.first().at(0).toString().contains("Scanned 12 images"));
        QVERIFY(window.session()->hasScan());
        WAIT_FOR(window, examples.count() >= 1);
        WAIT_FOR_COMPARE(
            window, window.module<app::DatasetModule>()->examplesPanel()->topCount(), 12);
        QVERIFY(window.module<app::DatasetModule>()->distributionPanel()->plottedPoints() > 0);
        QVERIFY(window.module<app::DatasetModule>()->distributionPanel()->status().contains(
            "positions"));

        // The unit and its family as one figure: a row each, with its scanned examples.
        window.module<app::TuningModule>()->panel()->setFamilyText("1, 6");
        QSignalSpy sheets(window.module<app::TuningModule>(), &app::TuningModule::unitSheetSaved);
        QTemporaryDir figures;
        window.module<app::TuningModule>()->exportUnitSheet(figures.filePath("sheet.png"));
        WAIT_FOR_COMPARE(window, sheets.count(), 1);
        QCOMPARE(QImage(figures.filePath("sheet.png")).height(), 3 * (96 + 4) + 4);
        QFile sidecar(figures.filePath("sheet.png.json"));
        QVERIFY(sidecar.open(QIODevice::ReadOnly));
        const QJsonArray units =
            QJsonDocument::fromJson(sidecar.readAll()).object().value("units").toArray();
        QCOMPARE(units.size(), 3);
        QCOMPARE(units.at(0).toObject().value("channel").toInt(), 4);
        QCOMPARE(units.at(0).toObject().value("examples").toInt(), 8);

        // A fresh install can scan the built-in dataset's sample folder (no dialog in tests:
        // the dialog's default layers).
        QSignalSpy sampled(window.module<app::DatasetModule>(), &app::DatasetModule::scanFinished);
        window.module<app::DatasetModule>()->scanSampleImages();
        WAIT_FOR_COMPARE(window, sampled.count(), 1);
        QVERIFY2(sampled.first().at(0).toString().contains("Scanned 300 images"),
            qPrintable(sampled.first().at(0).toString()));
        QVERIFY(QDir(data.path() + "/samples/shapes/spiral").count() >= 30 + 2);

        // With a scan, dictionary entries show their channel's top dataset example too.
        QVERIFY(openImageAndWait(window, image_));
        window.selection()->selectLayer("block");
        WAIT_FOR_COMPARE(window,
            window.module<app::ActivationsModule>()->panel()->activations().layer,
            std::string("block"));
        window.module<app::DictionaryModule>()->panel()->pick(20, 20);
        QVERIFY(!window.module<app::DictionaryModule>()->panel()->entries().empty());
        WAIT_FOR(window, window.module<app::DictionaryModule>()->panel()->topExampleCount() > 0);
        window.jobs()->waitForIdle(15 * 60 * 1000);  // follows the jobs; the cap only catches hangs
        qputenv("LOUPE_DATA_DIR", sharedData_.path().toUtf8());
    }

    void clickingTheImageShowsItsSemanticDictionary()
    {
        QTemporaryDir data;
        qputenv("LOUPE_DATA_DIR", data.path().toUtf8());
        app::MainWindow window;
        QVERIFY(openAndWait(window, model_));
        QVERIFY(openImageAndWait(window, image_));
        window.selection()->selectLayer("block");
        WAIT_FOR_COMPARE(window,
            window.module<app::ActivationsModule>()->panel()->activations().layer,
            std::string("block"));
        WAIT_FOR_COMPARE(
            window, window.module<app::ActivationsModule>()->panel()->grid()->tileCount(), 8);
        QSignalSpy thumbnails(
            window.module<app::DictionaryModule>(), &app::DictionaryModule::thumbnailReady);
        window.module<app::DictionaryModule>()->panel()->pick(20, 20);
        QVERIFY(!window.module<app::DictionaryModule>()->panel()->entries().empty());
        WAIT_FOR_COMPARE(window, size_t(thumbnails.count()),
            window.module<app::DictionaryModule>()->panel()->entries().size());
        QSignalSpy figures(
            window.module<app::DictionaryModule>(), &app::DictionaryModule::figureReady);
        window.module<app::DictionaryModule>()->requestNmf("block", 3);
        window.module<app::DictionaryModule>()->requestActivationGrid("block", 4);
        WAIT_FOR_COMPARE(window, figures.count(), 2);
        QVERIFY(figures.first().at(0).toString().contains("NMF"));
        // The activation grid is a grid figure: hovering one of its cells shows that cell's dictionary.
        const int columns = figures.last().at(2).toInt(), rows = figures.last().at(3).toInt();
        QVERIFY(columns > 0 && rows > 0);
        window.module<app::DictionaryModule>()->panel()->showGridCell(columns - 1, rows - 1);
        QVERIFY2(
            window.module<app::DictionaryModule>()->panel()->status().contains("(24,24)–(31,31)"),
            qPrintable(window.module<app::DictionaryModule>()
                           ->panel()
                           ->status()));  // block is 32x32: the last of 4x4 cells
        QSignalSpy maps(
            window.module<app::AttributionModule>(), &app::AttributionModule::attributionReady);
        QVERIFY(window.module<app::AttributionModule>()->panel()->setMethod("compare"));
        window.module<app::AttributionModule>()->panel()->compute();
        WAIT_FOR_COMPARE(window, maps.count(), 11);  // every method, FullGrad and LIME included
        QCOMPARE(window.module<app::AttributionModule>()->panel()->mapCount(), 11);
        window.module<app::DictionaryModule>()->panel()->pick(
            500, 20);  // outside: a message, no entries
        QVERIFY(window.module<app::DictionaryModule>()->panel()->entries().empty());
        QVERIFY(window.module<app::DictionaryModule>()->panel()->status().contains("outside"));
        // A unit target: every method explains it, guided backprop and deconvnet included.
        window.jobs()->waitForIdle(15 * 60 * 1000);
        maps.clear();
        QSignalSpy unavailable(window.module<app::AttributionModule>(),
            &app::AttributionModule::attributionUnavailable);
        window.selection()->selectUnit("block", 6);
        window.module<app::AttributionModule>()->panel()->setUnitTarget(true);
        window.module<app::AttributionModule>()->panel()->compute();
        WAIT_FOR_COMPARE(window, maps.count(), 11);
        QVERIFY(unavailable.isEmpty());
        QStringList methods;
        for (const auto& m : maps)
            methods << m.at(0).toString();
        QVERIFY2(methods.contains("guided") && methods.contains("deconvnet"),
            qPrintable(methods.join(',')));
        // A unit of a layer without positions: Grad-CAM(++) cannot explain through it and say so
        // in their cells; the other nine still run.
        window.jobs()->waitForIdle(15 * 60 * 1000);
        maps.clear();
        window.selection()->selectUnit("head", 1);
        window.module<app::AttributionModule>()->panel()->compute();
        WAIT_FOR(window, maps.count() + unavailable.count() == 11);
        QCOMPARE(maps.count(), 9);
        QCOMPARE(unavailable.count(), 2);
        QVERIFY2(
            window.module<app::AttributionModule>()->panel()->unavailableReason("gradcam").contains(
                "spatial"),
            qPrintable(
                window.module<app::AttributionModule>()->panel()->unavailableReason("gradcam")));
        QCOMPARE(window.module<app::AttributionModule>()->panel()->mapCount(), 11);
        window.module<app::AttributionModule>()->panel()->setUnitTarget(false);
        window.jobs()->waitForIdle(15 * 60 * 1000);  // follows the jobs; the cap only catches hangs
        qputenv("LOUPE_DATA_DIR", sharedData_.path().toUtf8());
    }

    void tuningDockSweepsSavesAFamilyAndExportsWithData()
    {
        QTemporaryDir data, out;
        qputenv("LOUPE_DATA_DIR", data.path().toUtf8());
        const QString curves =
            QString::fromStdString(test::writeCurveDetector(out.path().toStdString(), 60));
        app::MainWindow window;
        QVERIFY(openAndWait(window, curves));
        auto* tuning = window.module<app::TuningModule>()->panel();
        window.selection()->selectUnit("conv1", 0);

        QSignalSpy sweeps(window.module<app::TuningModule>(), &app::TuningModule::tuningSweepReady);
        tuning->setMode(widgets::TuningRequest::Mode::Sweep);
        tuning->setStimulus("curve");
        tuning->setSweepText("orientation=0:360:10,curvature=1:3:1");
        tuning->run();
        WAIT_FOR_COMPARE(window, sweeps.count(), 1);
        QVERIFY(tuning->showsHeatmap());
        const auto sweep = sweeps.first().at(0).value<SweepResult>();
        QCOMPARE(sweep.stimuli(), 36 * 3);
        QCOMPARE(sweeps.first().at(1).value<std::vector<RgbImage>>().size(), size_t(8));

        // The export writes the figure, its sidecar and the numbers behind it.
        const widgets::ExportResult exported =
            widgets::exportFigure(*tuning, out.filePath("sweep.svg"), 72, {});
        QVERIFY2(exported.ok, qPrintable(exported.error));
        QFile csv(exported.dataPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), 1 + 36 * 3);
        QVERIFY(rows.first().startsWith("orientation,curvature,conv1:0"));

        // A family saved by name comes back from the workspace, and the radial view draws it.
        QSignalSpy families(window.records(), &app::SavedRecords::familiesChanged);
        window.module<app::TuningModule>()->saveFamily("pair", "conv1", {0, 1});
        using Families = QMap<QString, QString>;
        const auto savedPair = [&] {
            return !families.isEmpty() &&
                families.last().at(0).value<Families>().value("pair") == "conv1:0,1";
        };
        WAIT_FOR(window, savedPair());

        // Saving over it is undoable (Edit > Undo): back to the first family, then to none.
        const auto pairIs = [&](const QString& text) {
            return !families.isEmpty() &&
                families.last().at(0).value<Families>().value("pair") == text;
        };
        window.module<app::TuningModule>()->saveFamily("pair", "conv1", {1});
        WAIT_FOR(window, pairIs("conv1:1"));
        WAIT_FOR_COMPARE(window, window.undoStack()->count(), 2);
        window.undoStack()->undo();
        WAIT_FOR(window, pairIs("conv1:0,1"));
        window.undoStack()->undo();
        WAIT_FOR(window, !families.last().at(0).value<Families>().contains("pair"));
        window.undoStack()->redo();
        window.undoStack()->redo();
        WAIT_FOR(window, pairIs("conv1:1"));
        window.undoStack()->undo();
        WAIT_FOR(window, savedPair());
        QSignalSpy radial(
            window.module<app::TuningModule>(), &app::TuningModule::tuningRadialReady);
        tuning->setMode(widgets::TuningRequest::Mode::Radial);
        tuning->setFamilyText("1");
        tuning->run();
        WAIT_FOR_COMPARE(window, radial.count(), 1);
        const auto tuned = radial.first().at(0).value<RadialTuning>();
        QCOMPARE(tuned.channels, (std::vector<int>{0, 1}));
        QCOMPARE(tuning->plottedSeries(), 2 + 2);  // two guide circles, two units

        // Sweeping the whole layer finds both detectors, at their orientations.
        QSignalSpy ranked(window.module<app::TuningModule>(), &app::TuningModule::tuningRankReady);
        tuning->setMode(widgets::TuningRequest::Mode::FindTuned);
        tuning->run();
        WAIT_FOR_COMPARE(window, ranked.count(), 1);
        const auto units = ranked.first().at(0).value<std::vector<TunedUnit>>();
        QCOMPARE(units.size(), size_t(2));
        for (const auto& u : units) {
            QVERIFY(u.selectivity > 0 &&
                u.peak > 0);  // a matched filter on a pedestal: broad, but peaked
            QVERIFY(std::abs(u.preferred - (u.channel == 0 ? 60 : 150)) <= 10);
        }

        // The invariance check: one orientation curve per appearance variant.
        QSignalSpy invariance(
            window.module<app::TuningModule>(), &app::TuningModule::tuningInvarianceReady);
        tuning->setMode(widgets::TuningRequest::Mode::Invariance);
        tuning->setSweepText("orientation=0:360:30,curvature=2");
        tuning->run();
        WAIT_FOR_COMPARE(window, invariance.count(), 1);
        QCOMPARE(tuning->plottedSeries(), 6);

        // Rotation needs a scan; without one the dock says so instead of failing silently.
        tuning->setMode(widgets::TuningRequest::Mode::Rotation);
        tuning->setFamilyText("1");
        tuning->run();
        WAIT_FOR(window, tuning->status().contains("scan"));
        // With a scan of a folder of curves: the unit's and its family's curves plus the raw one.
        QTemporaryDir curvesFolder;
        for (int i = 0; i < 12; ++i) {
            Stimulus s;
            s.width = 0.12;
            s.orientation = 30.0 * i;
            saveImage(renderStimulus(s, 48, 24, 24, 15),
                curvesFolder.filePath(QString("c%1.png").arg(i)).toStdString());
        }
        QSignalSpy scanned(window.module<app::DatasetModule>(), &app::DatasetModule::scanFinished);
        window.module<app::DatasetModule>()->scanFolder(curvesFolder.path(), {"conv1"});
        WAIT_FOR_COMPARE(window, scanned.count(), 1);
        QSignalSpy rotated(
            window.module<app::TuningModule>(), &app::TuningModule::tuningRotationReady);
        tuning->run();
        WAIT_FOR_COMPARE(window, rotated.count(), 1);
        QCOMPARE(tuning->plottedSeries(), 2 + 1);
        window.jobs()->waitForIdle(15 * 60 * 1000);  // follows the jobs; the cap only catches hangs
        qputenv("LOUPE_DATA_DIR", sharedData_.path().toUtf8());
    }

    void occlusionDockFillsInAndReadsClicks()
    {
        QTemporaryDir data;  // nothing cached: the maps must fill in batch by batch
        qputenv("LOUPE_DATA_DIR", data.path().toUtf8());
        app::MainWindow window;
        QVERIFY(openAndWait(window, model_));
        QVERIFY(openImageAndWait(window, image_));
        window.selection()->selectLayer("block");
        WAIT_FOR(window, !window.imagePanel()->predictionLines().isEmpty());
        auto* occlusion = window.module<app::OcclusionModule>()->panel();

        QSignalSpy classes(
            window.module<app::OcclusionModule>(), &app::OcclusionModule::occlusionClassesReady);
        occlusion->setMap(widgets::OcclusionPanel::Map::TopClass);
        occlusion->setPatch(8, 4);
        occlusion->run();
        WAIT_FOR(window, !classes.isEmpty() && classes.last().at(2).toBool());
        QVERIFY(classes.size() >= 2);  // partial maps arrived before the final one
        const auto map = classes.last().at(0).value<OcclusionClassMap>();
        QCOMPARE(map.columns, 7);  // (32 - 8) / 4 + 1
        QVERIFY(std::none_of(map.classes.begin(), map.classes.end(), [](int c) { return c < 0; }));
        QVERIFY(occlusion->valueAt(10, 10).contains("p = "));

        QSignalSpy heat(
            window.module<app::OcclusionModule>(), &app::OcclusionModule::occlusionHeatmapReady);
        occlusion->setMap(widgets::OcclusionPanel::Map::Layer);
        occlusion->run();
        WAIT_FOR(window, !heat.isEmpty() && heat.last().at(1).toBool());
        QCOMPARE(occlusion->exportData().count('\n'), 32);  // one CSV row per model-input row
        QVERIFY(occlusion->valueAt(3, 3).contains("drop"));

        // The circuit dock splits a conv unit into activation x weight terms that add up.
        QSignalSpy circuits(window.module<app::CircuitModule>(), &app::CircuitModule::circuitReady);
        window.selection()->selectUnit("block.b2", 1);
        window.module<app::CircuitModule>()->panel()->compute();
        WAIT_FOR_COMPARE(window, circuits.count(), 1);
        const CircuitResult& circuit = window.module<app::CircuitModule>()->panel()->circuit();
        QCOMPARE(circuit.contributions.size(),
            size_t(std::min(8, 4)));  // block.b2 reads conv1's 4 channels
        QVERIFY(std::abs(circuit.preActivation - circuit.check) <=
            1e-3f * std::max(1.f, std::abs(circuit.check)));
        QCOMPARE(window.module<app::CircuitModule>()->panel()->exportData().count('\n'), 1 + 4);
        // The input is recognised as conv1's output: its channels are shown as feature
        // visualizations, and a row selects its channel (walking the circuit backwards).
        QCOMPARE(circuit.inputLayer, std::string("conv1"));
        const int strongest = circuit.contributions.front().inputChannel;
        WAIT_FOR(window, window.module<app::CircuitModule>()->panel()->hasThumbnail(strongest));
        auto* view =
            window.module<app::CircuitModule>()->panel()->findChild<QScrollArea*>()->widget();
        window.module<app::CircuitModule>()->panel()->show();
        QTest::mouseClick(view, Qt::LeftButton, {}, QPoint(30, 44 + 10));  // first row
        QCOMPARE(window.selection()->unitText(), QString("conv1:%1").arg(strongest));
        window.jobs()->waitForIdle(15 * 60 * 1000);  // follows the jobs; the cap only catches hangs
        qputenv("LOUPE_DATA_DIR", sharedData_.path().toUtf8());
    }

    void nmfDockFactorisesRendersAndSavesADirection()
    {
        QTemporaryDir data, folder;
        qputenv("LOUPE_DATA_DIR", data.path().toUtf8());
        for (int i = 0; i < 3; ++i) {
            RgbImage img(40, 36);
            for (size_t p = 0; p < img.pixels.size(); ++p)
                img.pixels[p] = std::uint8_t((p * (i + 5)) % 253);
            saveImage(img, folder.filePath(QString("f%1.png").arg(i)).toStdString());
        }
        app::MainWindow window;
        QVERIFY(openAndWait(window, model_));
        QVERIFY(openImageAndWait(window, image_));
        window.selection()->selectLayer("block");
        auto* nmf = window.module<app::NmfModule>()->panel();
        QSignalSpy factors(window.module<app::NmfModule>(), &app::NmfModule::nmfFactorsReady);
        QSignalSpy rendered(window.module<app::NmfModule>(), &app::NmfModule::nmfFactorImagesReady);
        nmf->setK(3);
        nmf->run();
        WAIT_FOR_COMPARE(window, rendered.count(), 1);
        QCOMPARE(factors.count(), 1);
        QCOMPARE(factors.first().at(2).toInt(), 1);  // one image
        QCOMPARE(nmf->factorCount(), 3);
        QCOMPARE(nmf->renderedFactorImages(), 3);
        QCOMPARE(nmf->exportData().count('\n'), 1 + 3);

        QSignalSpy saved(window.module<app::NmfModule>(), &app::NmfModule::directionSaved);
        nmf->selectFactor(1);
        nmf->saveSelected("group");
        WAIT_FOR_COMPARE(window, saved.count(), 1);
        QVERIFY(nmf->status().contains("direction:group"));

        nmf->run(folder.path());  // over a folder: three images
        WAIT_FOR_COMPARE(window, factors.count(), 2);
        QCOMPARE(factors.last().at(2).toInt(), 3);
        window.jobs()->cancelAll();
        window.jobs()->waitForIdle(15 * 60 * 1000);
        qputenv("LOUPE_DATA_DIR", sharedData_.path().toUtf8());
    }

    void atlasDockBuildsHoversSavesAndPlacesTheImage()
    {
        QTemporaryDir data, folder;
        qputenv("LOUPE_DATA_DIR", data.path().toUtf8());
        for (int i = 0; i < 10; ++i) {
            RgbImage img(36, 36);
            for (size_t p = 0; p < img.pixels.size(); ++p)
                img.pixels[p] = std::uint8_t((p * (i + 7) + 13 * i) % 249);
            saveImage(img, folder.filePath(QString("a%1.png").arg(i)).toStdString());
        }
        app::MainWindow window;
        QVERIFY(openAndWait(window, model_));
        QVERIFY(openImageAndWait(window, image_));
        window.selection()->selectLayer("block");
        auto* atlas = window.module<app::AtlasModule>()->panel();
        QSignalSpy ready(window.module<app::AtlasModule>(), &app::AtlasModule::atlasReady);
        QSignalSpy iconsDone(window.module<app::AtlasModule>(), &app::AtlasModule::iconsDone);
        atlas->build(folder.path());
        WAIT_FOR_COMPARE(window, ready.count(), 1);
        QVERIFY(atlas->atlas() != nullptr);
        QCOMPARE(atlas->atlas()->samples.images.size(), size_t(10));
        // At once: every cell shows its mean dataset patch; then the icons arrive.
        QCOMPARE(atlas->atlas()->patches.size(), atlas->atlas()->cells.size());
        QVERIFY(atlas->visibleIcons() > 0);
        WAIT_FOR_COMPARE(window, iconsDone.count(), 1);
        int eligible = 0;
        for (const auto& cell : atlas->atlas()->cells)
            eligible += cell.members.size() >= 3;
        QVERIFY(eligible > 0);
        QCOMPARE(atlas->iconCount(), eligible);

        QSignalSpy patches(window.module<app::AtlasModule>(), &app::AtlasModule::atlasPatchesReady);
        atlas->hoverCell(0);
        WAIT_FOR_COMPARE(window, patches.count(), 1);
        QVERIFY(!patches.first().at(1).value<std::vector<RgbImage>>().empty());

        QSignalSpy saved(window.module<app::AtlasModule>(), &app::AtlasModule::directionSaved);
        atlas->selectCell(0);
        atlas->saveSelected("cell-zero");
        WAIT_FOR_COMPARE(window, saved.count(), 1);

        QSignalSpy placed(
            window.module<app::AtlasModule>(), &app::AtlasModule::atlasPlacementReady);
        window.module<app::AtlasModule>()->requestPlacement();
        WAIT_FOR_COMPARE(window, placed.count(), 1);
        QCOMPARE(placed.first().at(0).value<std::vector<float>>().size(),
            size_t(2 * 32 * 32));  // every position of block

        const int classes = atlas->atlas()->samples.predictedClass.front();
        atlas->setClassFilter(classes);
        QVERIFY(atlas->visibleIcons() >= 1);

        // The image map: every image of the folder, and neighbours on click.
        QSignalSpy maps(window.module<app::AtlasModule>(), &app::AtlasModule::imageMapReady);
        atlas->setImageMapMode(true);
        atlas->build(folder.path());
        WAIT_FOR_COMPARE(window, maps.count(), 1);
        QCOMPARE(atlas->imageMap()->images.size(), size_t(10));
        atlas->showNeighbours(0);
        QCOMPARE(atlas->exportData().count('\n'), 1 + 10);
        window.jobs()->waitForIdle(15 * 60 * 1000);  // follows the jobs; the cap only catches hangs
        qputenv("LOUPE_DATA_DIR", sharedData_.path().toUtf8());
    }

    void badModelKeepsTheCurrentOne()
    {
        app::MainWindow window;
        QVERIFY(openAndWait(window, model_));
        const QString hash = window.session()->modelHash();

        const QString junk = dir_.filePath("junk.pt");
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("definitely not a zip archive");
        f.close();
        QSignalSpy failed(window.session(), &app::ModelSession::modelFailed);
        window.openModel(junk);
        WAIT_FOR_COMPARE(window, failed.count(), 1);
        QVERIFY(failed.first().at(1).toString().contains("not a readable TorchScript model"));
        QCOMPARE(window.session()->modelHash(), hash);
        QVERIFY(!window.openImage(dir_.filePath("missing.png")));
    }

    // A feature extractor (no classifier): activations of an image arrive without predictions,
    // and nothing may assume a top class.
    void modelWithoutClassifierShowsActivations()
    {
        app::MainWindow window;
        window.show();
        QVERIFY(openAndWait(window,
            QString::fromStdString(test::writeFeatureExtractor(dir_.path().toStdString()))));
        QVERIFY(openImageAndWait(window, image_));
        const QString layer = window.selection()->layer();
        QVERIFY(!layer.isEmpty());
        WAIT_FOR(window, window.module<app::ActivationsModule>()->panel()->grid()->tileCount() > 0);
        QVERIFY(
            window.module<app::ActivationsModule>()->panel()->activations().predictions.empty());
        QCOMPARE(window.imagePanel()->predictionLines().size(), 0);
        window.jobs()->waitForIdle(10000);
    }

    void builtinModelOpensWithASampleImage()
    {
        QTemporaryDir data;
        qputenv("LOUPE_DATA_DIR", data.path().toUtf8());
        TrainingConfig tiny;
        tiny.imageSize = 32;
        tiny.steps = 6;
        tiny.testImages = 10;
        Progress progress;
        trainBuiltinModel(tiny, builtinModelDirectory(data.path().toStdString()), progress);

        app::MainWindow window;
        QSignalSpy ready(&window, &app::MainWindow::modelReady);
        window.openBuiltinModel();
        WAIT_FOR_COMPARE(window, ready.count(), 1);
        QCOMPARE(window.session()->modelPath(), app::MainWindow::builtinModelFile());
        QVERIFY(window.session()->hasImage());
        QCOMPARE(window.selection()->layer(), QString("mixed3"));
        WAIT_FOR_COMPARE(
            window, window.module<app::ActivationsModule>()->panel()->grid()->tileCount(), 64);
        WAIT_FOR_COMPARE(window, window.imagePanel()->predictionLines().size(), 5);
        // Its most active unit on the sample is selected, so the Neuron dock renders something.
        const auto& maxima =
            window.module<app::ActivationsModule>()->panel()->activations().channelMax;
        const int strongest = int(std::max_element(maxima.begin(), maxima.end()) - maxima.begin());
        WAIT_FOR_COMPARE(
            window, window.selection()->unitText(), QString("mixed3:%1").arg(strongest));
        window.jobs()->waitForIdle(15 * 60 * 1000);
        qputenv("LOUPE_DATA_DIR", sharedData_.path().toUtf8());
    }

    void everyDockHasAnObjectNameAndLayoutResets()
    {
        app::MainWindow window;
        for (QDockWidget* dock : window.findChildren<QDockWidget*>())
            QVERIFY(!dock->objectName().isEmpty());
        auto* layers = window.findChild<QDockWidget*>("dock.layers");
        QVERIFY(layers);
        layers->hide();
        window.resetLayout();
        QVERIFY(!layers->isHidden());
    }

private:
    QTemporaryDir dir_;
    QTemporaryDir sharedData_;
    QString model_;
    QString image_;
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
