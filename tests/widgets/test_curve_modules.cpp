// The Curve Detectors part II modules on their own (Curves, Circuit Edits, Timeline), as in
// test_modules: an AppContext with a fake shell and small test models written here.
#include "app/modules/activations_module.h"
#include "app/modules/circuit_module.h"
#include "app/modules/curves_module.h"
#include "app/modules/edits_module.h"
#include "app/modules/timeline_module.h"
#include "core/activations.h"
#include "core/attribution.h"
#include "core/classify.h"
#include "core/curve_scenes.h"
#include "core/image_io.h"
#include "core/model.h"
#include "core/model_edits.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"
#include "tests/widgets/module_harness.h"
#include "widgets/activations_panel.h"
#include "widgets/circuit_panel.h"
#include "widgets/curves_panel.h"
#include "widgets/edits_panel.h"
#include "widgets/figure_export.h"
#include "widgets/timeline_panel.h"

#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace loupe;
using test::Harness;

class TestCurveModules : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("LOUPE_DATA_DIR", data_.path().toUtf8());
        branchy_ = QString::fromStdString(test::writeBranchyCnn(dir_.path().toStdString()));
        strokes_ = QString::fromStdString(test::writeStrokeDetector(dir_.path().toStdString()));
    }

    // Curve map beside Canny, then traced strokes exported as SVG + JSON, then the measurement.
    void curvesDockMapsTracesAndMeasures()
    {
        Harness h;
        app::CurvesModule module(h.context, nullptr);
        CurveSceneConfig scene;
        scene.size = 64;
        scene.fieldSize = 24;
        QVERIFY(h.open(strokes_, renderCurveScene(scene, 4).image));
        auto* panel = module.panel();
        // A selected unit becomes the family until one is typed.
        h.selection.selectUnit(QStringLiteral("conv1"), 0);
        QCOMPARE(panel->family(), QStringLiteral("conv1:0"));
        panel->setFamily(QStringLiteral("conv1:0,1"));

        QSignalSpy mapped(&module, &app::CurvesModule::curveMapReady);
        panel->run();
        QVERIFY(h.wait([&] { return mapped.count() == 1; }));
        // The map carries its key: white (0) to black (1), the ink it is drawn with.
        const widgets::ColourScale key = panel->curveMapScale();
        QVERIFY(!key.isEmpty());
        QCOMPARE(key.ramp.pixelColor(0, 0), QColor(Qt::white));
        QCOMPARE(key.ramp.pixelColor(key.ramp.width() - 1, 0), QColor(Qt::black));
        QSignalSpy traced(&module, &app::CurvesModule::strokesReady);
        panel->setStrokeCount(2);
        panel->trace();
        QVERIFY(h.wait([&] { return traced.count() == 1; }));
        QVERIFY(!panel->strokes().empty() && panel->strokes().size() <= 2);
        const QString svg = dir_.filePath(QStringLiteral("strokes.svg"));
        QVERIFY(panel->exportStrokes(svg));
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().contains("<path d=\"M "));
        QVERIFY(QFile::exists(dir_.filePath(QStringLiteral("strokes.json"))));
        QVERIFY(QFile::exists(dir_.filePath(QStringLiteral("strokes-photo.png"))));

        // The figure: photo | curve map | Canny | strokes, with its sidecar.
        const QString figure = dir_.filePath(QStringLiteral("curves-figure.png"));
        QVERIFY(widgets::exportFigure(*panel, figure, 72, h.figures).ok);
        QVERIFY(QFile::exists(figure + QStringLiteral(".json")));

        QSignalSpy measured(&module, &app::CurvesModule::benchmarkReady);
        panel->measure();
        QVERIFY(h.wait([&] { return measured.count() == 1; }));
        QVERIFY(panel->summary().contains(QStringLiteral("F1")));

        // A family that does not parse is said in the panel, not thrown.
        QSignalSpy failed(&module, &app::CurvesModule::failed);
        panel->setFamily(QStringLiteral("conv1:a,b"));
        panel->run();
        QCOMPARE(failed.count(), 1);
    }

    // The edit list reaches every dock (the Activations module recomputes on the edited copy),
    // the comparison runs, the edited model saves and reopens, and Original Model goes back.
    void editsApplyToEveryDockAndGoBack()
    {
        Harness h;
        app::EditsModule edits(h.context, nullptr);
        app::ActivationsModule activations(h.context, nullptr);
        const RgbImage image = test::noiseImage(32, 32, 9);
        QVERIFY(h.open(branchy_, image));
        const std::string originalHash = h.session.modelHash().toStdString();
        h.selection.selectLayer(QStringLiteral("block"));
        QSignalSpy published(&h.session, &app::ModelSession::activationsChanged);
        QVERIFY(h.wait([&] { return published.count() >= 1; }));

        auto* panel = edits.panel();
        QVERIFY(panel->addEdits(ModelEdit::Kind::ZeroUnit, QStringLiteral("block:1,6")));
        QVERIFY(!panel->addEdits(ModelEdit::Kind::ZeroUnit, QStringLiteral("block")));
        QSignalSpy applied(&edits, &app::EditsModule::applied);
        QSignalSpy topFive(&edits, &app::EditsModule::topFiveReady);
        const int before = int(published.count());
        panel->apply();
        QVERIFY(h.wait([&] { return applied.count() == 1; }));
        QVERIFY(h.session.isEdited());
        QVERIFY(h.session.modelHash().toStdString() != originalHash);
        QCOMPARE(h.session.originalModel()->hash(), originalHash);
        // The Activations dock recomputed with the edited model: the ablated channels are 0.
        QVERIFY(h.wait([&] { return published.count() > before; }));
        const auto edited = computeActivations(*h.session.model(), image, "block");
        const FloatMap ablated = edited.channelMap(6);
        QVERIFY(std::all_of(
            ablated.values.begin(), ablated.values.end(), [](float v) { return v == 0.f; }));
        QVERIFY(h.wait([&] { return topFive.count() == 1; }));
        QCOMPARE(panel->topFiveRows(), 3);  // the model has three classes

        // Occlusion before and after, on one colour scale: the bar under both maps spans the
        // joint range of the two maps (computed here on both models).
        QSignalSpy occluded(&edits, &app::EditsModule::occlusionReady);
        edits.requestOcclusion();
        QVERIFY(h.wait([&] { return occluded.count() == 1; }));
        {
            Progress none;
            AttributionConfig config;
            config.method = AttributionMethod::Occlusion;
            const int klass =
                classifyImages(*h.session.originalModel(), {image}, 1, none).at(0).at(0).index;
            config.target = AttributionTarget::parse("class:" + std::to_string(klass));
            float extent = 0;
            for (Model* model : {h.session.originalModel().get(), h.session.model().get()})
                for (float v : attribute(*model, image, config, none).values)
                    extent = std::max(extent, std::abs(v));
            const widgets::ColourScale original = panel->occlusionScale(1);
            QVERIFY(!original.isEmpty());
            QCOMPARE(panel->occlusionScale(2).high, original.high);
            QCOMPARE(original.high, QString::number(double(extent), 'g', 3));
        }

        QSignalSpy tuned(&edits, &app::EditsModule::tuningReady);
        edits.requestTuning(QStringLiteral("pool:2"));
        QVERIFY(h.wait([&] { return tuned.count() == 1; }));
        QVERIFY(
            widgets::exportFigure(*panel, dir_.filePath(QStringLiteral("edits.png")), 72, h.figures)
                .ok);

        const QString saved = dir_.filePath(QStringLiteral("edited.pt"));
        QSignalSpy wrote(&edits, &app::EditsModule::saved);
        edits.requestSave(saved);
        QVERIFY(h.wait([&] { return wrote.count() == 1; }));
        auto reopened = Model::load(saved.toStdString());
        QCOMPARE(EditList::fromJson(reopened->metadata().edits).edits.size(), size_t(2));

        panel->revert();
        QVERIFY(h.wait([&] { return applied.count() == 2; }));
        QVERIFY(!h.session.isEdited());
        QCOMPARE(h.session.modelHash().toStdString(), originalHash);
    }

    // The Circuit dock's "cut this kernel" lands in the edit list.
    void circuitKernelCutIsListed()
    {
        Harness h;
        app::EditsModule edits(h.context, nullptr);
        app::CircuitModule circuit(h.context, nullptr);
        QVERIFY(h.open(branchy_, test::noiseImage(32, 32, 9)));
        emit circuit.panel()->cutKernelRequested(QStringLiteral("block.b2"), 1, 3);
        QCOMPARE(edits.panel()->editList().edits.size(), size_t(1));
        QCOMPARE(edits.panel()->editList().edits[0].toString(), std::string("cut block.b2:1<-3"));
    }

    // Accuracy over a labelled folder with the random-unit control.
    void editAccuracyComparesWithRandomUnits()
    {
        Harness h;
        app::EditsModule edits(h.context, nullptr);
        QTemporaryDir photos;
        for (const char* klass : {"zero", "one", "two"}) {
            QDir(photos.path()).mkdir(QString::fromLatin1(klass));
            for (int i = 0; i < 3; ++i)
                saveImage(
                    test::noiseImage(32, 32, 40 + std::uint64_t(i) + 7 * std::uint64_t(klass[1])),
                    photos
                        .filePath(
                            QStringLiteral("%1/%2.png").arg(QString::fromLatin1(klass)).arg(i))
                        .toStdString());
        }
        QVERIFY(h.open(branchy_, test::noiseImage(32, 32, 9)));
        QVERIFY(edits.panel()->addEdits(ModelEdit::Kind::ZeroUnit, QStringLiteral("block:0,1")));
        QSignalSpy applied(&edits, &app::EditsModule::applied);
        edits.panel()->apply();
        QVERIFY(h.wait([&] { return applied.count() == 1; }));
        QSignalSpy measured(&edits, &app::EditsModule::accuracyReady);
        edits.requestAccuracy(photos.path(), true);
        QVERIFY(h.wait([&] { return measured.count() == 1; }));
        QVERIFY(edits.panel()->accuracyText().contains(QStringLiteral("9 photos")));
        QVERIFY(edits.panel()->accuracyText().contains(QStringLiteral("random units")));
    }

    // One unit across three checkpoints, frames arriving one by one; a wrong folder is said.
    void timelineScrubsCheckpoints()
    {
        Harness h;
        app::TimelineModule module(h.context, nullptr);
        QTemporaryDir folder;
        for (int i = 1; i <= 3; ++i) {
            QTemporaryDir scratch;
            std::filesystem::rename(test::writeBranchyCnn(scratch.path().toStdString(), true, i),
                folder.filePath(QStringLiteral("step-%1.pt").arg(i * 100)).toStdString());
        }
        QVERIFY(h.open(branchy_, test::noiseImage(32, 32, 9)));
        auto* panel = module.panel();
        QSignalSpy failed(&module, &app::TimelineModule::failed);
        panel->setFolder(folder.path());
        panel->run();  // no unit selected yet
        QCOMPARE(failed.count(), 1);
        h.selection.selectUnit(QStringLiteral("conv1"), 2);
        QSignalSpy ready(&module, &app::TimelineModule::timelineReady);
        panel->run();
        QVERIFY(h.wait([&] { return ready.count() == 1; }));
        QCOMPARE(panel->frames(), 3);
        panel->setCurrentFrame(0);
        QCOMPARE(panel->currentFrame(), 0);
        QVERIFY(panel->exportData().contains(QStringLiteral("step-300,300,")));
        QVERIFY(widgets::exportFigure(
            *panel, dir_.filePath(QStringLiteral("timeline.png")), 72, h.figures)
                    .ok);
        panel->setFolder(folder.filePath(QStringLiteral("missing")));
        panel->run();
        QVERIFY(h.wait([&] { return failed.count() == 2; }));
    }

private:
    QTemporaryDir dir_;
    QTemporaryDir data_;
    QString branchy_;
    QString strokes_;
};

QTEST_MAIN(TestCurveModules)
#include "test_curve_modules.moc"
