// The ways around the window (GUI tests with a whole MainWindow): reaching a unit by typing
// it or by a loupe:// link, task presets, the welcome page, scripted steps without a screenshot.
#include "app/launch_script.h"
#include "app/main_window.h"
#include "app/modules/tuning_module.h"
#include "app/modules/unit_page_module.h"
#include "core/image_io.h"
#include "core/tuning.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"
#include "tests/widgets/window_harness.h"
#include "widgets/layer_browser.h"
#include "widgets/tuning_panel.h"
#include "widgets/unit_page_panel.h"
#include "widgets/unit_selection.h"
#include "widgets/welcome_panel.h"

#include <QCoreApplication>
#include <QDockWidget>
#include <QLineEdit>
#include <QMap>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace loupe;
using test::openAndWait;
using test::whileJobsRun;

class TestWindowNavigation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // Workspaces live in a fresh folder, never in the user's.
        qputenv("LOUPE_DATA_DIR", data_.path().toUtf8());
        QCoreApplication::setOrganizationName("LoupeTest");
        QSettings().clear();
        model_ = QString::fromStdString(test::writeBranchyCnn(dir_.path().toStdString()));
    }

    // A unit is reachable by typing it (Go to Unit, the layer search) or by a loupe:// link,
    // also one of a recent model that is not open: each selects it and shows its Unit Page.
    void unitLinksAndTypedUnitsOpenTheUnitPage()
    {
        QTemporaryDir other;
        const QString wired =
            QString::fromStdString(test::writeWiredChain(other.path().toStdString()));
        app::MainWindow window;
        window.show();
        QVERIFY(openAndWait(window, model_));
        const QString hash = window.session()->modelHash();
        auto* page = window.module<app::UnitPageModule>()->panel();

        QVERIFY(window.goToUnit("block:3"));
        QCOMPARE(window.selection()->unitText(), QString("block:3"));
        QTRY_VERIFY(page->isVisible());
        QTRY_COMPARE(page->channel(), 3);
        QVERIFY(!window.goToUnit("block:99"));  // no such channel: an error, nothing moves
        QVERIFY(!window.goToUnit(QString("loupe://00000000deadbeef/conv1/1")));
        QCOMPARE(window.selection()->unitText(), QString("block:3"));

        // A link typed or pasted into the layer search goes there too.
        auto* search = window.layerBrowser()->findChild<QLineEdit*>();
        QVERIFY(search);
        search->setText(QString("loupe://%1/conv1/1").arg(hash));
        QTest::keyClick(search, Qt::Key_Return);
        QCOMPARE(window.selection()->unitText(), QString("conv1:1"));
        QTRY_COMPARE(page->link(), QString("loupe://%1/conv1/1").arg(hash));

        // The link of a recent model reopens that model first.
        QVERIFY(openAndWait(window, wired));
        QSignalSpy ready(&window, &app::MainWindow::modelReady);
        QVERIFY(window.goToUnit(QString("loupe://%1/block/5").arg(hash)));
        QVERIFY(whileJobsRun(window, [&] { return ready.count() == 1; }));
        QCOMPARE(window.session()->modelHash(), hash);
        QCOMPARE(window.selection()->unitText(), QString("block:5"));
        window.jobs()->cancelAll();
        window.jobs()->waitForIdle(20000);
        QTest::qWait(50);
    }

    // Scripted steps (--unit, --tune ...) run without --screenshot too, and "Find tuned units"
    // starts from the coarse sweep (96 stimuli), finer on demand.
    void scriptedStepsRunWithoutAScreenshot()
    {
        QTemporaryDir data, out;
        qputenv("LOUPE_DATA_DIR", data.path().toUtf8());
        const QString curves =
            QString::fromStdString(test::writeCurveDetector(out.path().toStdString(), 60));
        app::MainWindow window;
        app::LaunchRequest request;
        request.unit = "conv1:0";
        request.tune = "find";
        new app::LaunchScript(&window, request);
        QSignalSpy ranked(window.module<app::TuningModule>(), &app::TuningModule::tuningRankReady);
        window.openModel(curves);
        QVERIFY(whileJobsRun(window, [&] { return ranked.count() == 1; }));
        QCOMPARE(window.selection()->unitText(), QString("conv1:0"));
        const auto* tuning = window.module<app::TuningModule>()->panel();
        QCOMPARE(tuning->mode(), widgets::TuningRequest::Mode::FindTuned);
        QCOMPARE(tuning->sweepText(), QString::fromLatin1(kCoarseRankingSweep));
        QVERIFY(!window.isVisible());  // no screenshot: nothing grabbed, the app keeps running
        window.jobs()->waitForIdle(20000);
        QTest::qWait(50);
        qputenv("LOUPE_DATA_DIR", data_.path().toUtf8());
    }

    // View > Task Presets arrange the docks for one task; the layer browser and jobs stay.
    void taskPresetsArrangeTheDocks()
    {
        app::MainWindow window;
        window.show();
        const auto dock = [&](const QString& name) {
            return window.findChild<QDockWidget*>("dock." + name);
        };
        QVERIFY(window.applyPreset("image"));
        QVERIFY(dock("attribution")->isVisible());
        QVERIFY(dock("occlusion")->isVisibleTo(&window));
        QVERIFY(!dock("tuning")->isVisibleTo(&window));
        QVERIFY(!dock("dream")->isVisibleTo(&window));
        QVERIFY(dock("layers")->isVisible());
        QVERIFY(dock("jobs")->isVisible());
        QVERIFY(window.applyPreset("unit"));
        QVERIFY(dock("unitpage")->isVisible());  // raised in its tab group
        QVERIFY(!dock("attribution")->isVisibleTo(&window));
        QVERIFY(window.applyPreset("experiments"));
        QVERIFY(dock("inversion")->isVisible());
        QVERIFY(!window.applyPreset("nonsense"));
        window.resetLayout();
        QVERIFY(dock("attribution")->isVisibleTo(&window));
    }

    // Results arriving do not move the layout: with a model open, the docks of each task
    // preset keep their places and sizes while the image, its activations, predictions, the
    // unit's renders and the unit page come in (a panel whose size hint grew with its content
    // would push its neighbours).
    void resultsArrivingDoNotMoveTheDocks_data()
    {
        QTest::addColumn<QString>("preset");
        QTest::newRow("unit") << "unit";
        QTest::newRow("image") << "image";
        QTest::newRow("dataset") << "dataset";
    }
    void resultsArrivingDoNotMoveTheDocks()
    {
        QFETCH(QString, preset);
        QTemporaryDir out;
        const QString image = out.filePath("noise.png");
        saveImage(test::noiseImage(96, 80, 5), image.toStdString());
        app::MainWindow window;
        window.resize(1366, 768);
        window.show();
        QVERIFY(openAndWait(window, model_));
        QVERIFY(window.applyPreset(preset));
        window.jobs()->waitForIdle(60000);
        QTest::qWait(100);
        const auto geometries = [&] {
            QMap<QString, QRect> placed;
            for (QDockWidget* dock : window.findChildren<QDockWidget*>())
                if (dock->isVisible())
                    placed.insert(dock->objectName(), dock->geometry());
            placed.insert(QStringLiteral("window"), window.geometry());
            return placed;
        };
        const QMap<QString, QRect> before = geometries();

        QVERIFY(test::openImageAndWait(window, image));
        window.selection()->selectUnit(QStringLiteral("block"), 2);  // a click: raises nothing
        window.jobs()->waitForIdle(10 * 60 * 1000);
        QTest::qWait(200);
        const QMap<QString, QRect> after = geometries();
        // No dock put itself in front of the one the user had there.
        QCOMPARE(after.keys(), before.keys());
        for (auto it = before.begin(); it != before.end(); ++it)
            QVERIFY2(after.value(it.key()) == it.value(),
                qPrintable(QStringLiteral("%1 moved from %2,%3 %4x%5 to %6,%7 %8x%9")
                               .arg(it.key())
                               .arg(it.value().x())
                               .arg(it.value().y())
                               .arg(it.value().width())
                               .arg(it.value().height())
                               .arg(after.value(it.key()).x())
                               .arg(after.value(it.key()).y())
                               .arg(after.value(it.key()).width())
                               .arg(after.value(it.key()).height())));
    }

    // No model: the welcome page instead of empty docks (and what went wrong); a model opened
    // from it brings the docks back.
    void welcomePageWhileNoModel()
    {
        app::MainWindow window;
        window.show();
        QSignalSpy failed(&window, &app::MainWindow::modelFailed);
        window.openModel(dir_.filePath("missing.pt"));
        QVERIFY(whileJobsRun(window, [&] { return failed.count() == 1; }));
        QVERIFY(window.welcomeShown());
        QVERIFY(window.welcomePanel()->isVisible());
        auto* attribution = window.findChild<QDockWidget*>("dock.attribution");
        QVERIFY(!attribution->isVisibleTo(&window));
        QVERIFY(window.findChild<QDockWidget*>("dock.layers")->isVisible());
        QVERIFY(openAndWait(window, model_));
        QVERIFY(!window.welcomeShown());
        QVERIFY(!window.welcomePanel()->isVisible());
        QVERIFY(attribution->isVisibleTo(&window));
        QVERIFY(window.welcomePanel()->recentCount() >= 0);
    }

private:
    QTemporaryDir dir_, data_;
    QString model_;
};

QTEST_MAIN(TestWindowNavigation)
#include "test_window_navigation.moc"
