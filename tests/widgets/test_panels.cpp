#include "tests/widgets/synthetic_data.h"
#include "widgets/activations_panel.h"
#include "widgets/channel_grid.h"
#include "widgets/jobs_panel.h"
#include "widgets/layer_browser.h"
#include "widgets/unit_selection.h"

#include <QHeaderView>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTreeWidget>
#include <QtTest>

using namespace loupe;
using namespace loupe::widgets;

class TestPanels : public QObject {
    Q_OBJECT
private slots:
    void selectionSignalsOnce()
    {
        UnitSelection selection;
        QSignalSpy layers(&selection, &UnitSelection::layerChanged);
        QSignalSpy units(&selection, &UnitSelection::unitChanged);
        selection.selectUnit("conv1", 3);
        selection.selectUnit("conv1", 3);  // no change, no signal
        selection.selectUnit("conv1", 4);
        QCOMPARE(layers.count(), 1);
        QCOMPARE(units.count(), 2);
        QCOMPARE(units.last().at(1).toInt(), 4);
        QCOMPARE(selection.unitText(), QString("conv1:4"));
    }

    void clickingAChannelTileSelectsTheUnit()
    {
        UnitSelection selection;
        ActivationsPanel panel({&selection, nullptr});
        panel.resize(600, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setActivations(test::syntheticActivations(12, 6));
        QCOMPARE(panel.grid()->tileCount(), 12);
        QSignalSpy spy(&selection, &UnitSelection::unitChanged);
        const QRect tile = panel.grid()->tileRect(5);
        QTest::mouseClick(panel.grid(), Qt::LeftButton, {}, tile.center());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.last().at(0).toString(), QString("block"));
        QCOMPARE(spy.last().at(1).toInt(), 5);
        QCOMPARE(panel.grid()->selectedChannel(), 5);
        QVERIFY(panel.status().contains("1 dead"));
        // Selection made elsewhere is reflected in the grid.
        selection.selectUnit("block", 7);
        QCOMPARE(panel.grid()->selectedChannel(), 7);
        selection.selectUnit("other", 2);
        QCOMPARE(panel.grid()->selectedChannel(), -1);
    }

    void layerBrowserBuildsTreeAndFilters()
    {
        UnitSelection selection;
        LayerBrowser browser(&selection);
        std::vector<LayerInfo> layers;
        for (const char* path : {"conv1", "conv1.conv", "conv1.relu", "block", "block.b1",
                 "block.b1.conv", "block.b2", "head"}) {
            LayerInfo l;
            l.path = path;
            l.type = std::string(path).find("conv") != std::string::npos ? "Conv2d" : "Module";
            l.addressable = true;
            l.shape = {8, 4, 4};
            layers.push_back(l);
        }
        layers[3].alias = "mixed";
        browser.setLayers(layers);
        QCOMPARE(browser.tree()->topLevelItemCount(), 3);
        QCOMPARE(browser.visibleLayerCount(), 8);
        browser.setFilter("b1");
        // b1, b1.conv and their ancestor block stay visible.
        QCOMPARE(browser.visibleLayerCount(), 3);
        browser.setFilter("mixed");
        QCOMPARE(browser.visibleLayerCount(), 1);
        // A typed unit id filters by its layer and, on Enter, selects the unit (by path or alias).
        browser.setFilter("block:3");
        QCOMPARE(browser.visibleLayerCount(), 4);  // block and its three descendants
        QVERIFY(browser.selectTypedUnit());
        QCOMPARE(selection.unitText(), QString("block:3"));
        browser.setFilter("mixed:5");
        QVERIFY(browser.selectTypedUnit());
        QCOMPARE(selection.unitText(), QString("block:5"));
        browser.setFilter("block:8");  // block has 8 channels: 0..7
        QVERIFY(!browser.selectTypedUnit());
        browser.setFilter("nowhere:1");
        QVERIFY(!browser.selectTypedUnit());
        QCOMPARE(selection.unitText(), QString("block:5"));
        browser.setFilter(QString());

        QSignalSpy spy(&selection, &UnitSelection::layerChanged);
        QTreeWidgetItem* head = browser.tree()->topLevelItem(2);
        browser.tree()->setCurrentItem(head);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(selection.layer(), QString("head"));
        selection.selectLayer("block.b1.conv");
        QCOMPARE(browser.tree()->currentItem()->text(0), QString("conv"));
    }

    // Given the width it asks for, the browser shows every column whole: no horizontal scroll,
    // the last column (Type) as wide as its longest name. The Dataset column waits for a scan.
    void layerBrowserAsksForAWidthThatShowsEveryColumn()
    {
        UnitSelection selection;
        LayerBrowser browser(&selection);
        std::vector<LayerInfo> layers;
        for (const char* path : {"inception_3a", "inception_3a.b3x3_reduce",
                 "inception_3a.b3x3_reduce.conv", "norm1", "avgpool"}) {
            LayerInfo l;
            l.path = path;
            l.type = std::string(path) == "norm1" ? "LocalResponseNorm" : "ConvReLU";
            l.alias = std::string(path) == "inception_3a" ? "mixed3a" : "";
            l.addressable = true;
            l.parameters = 1234567;
            l.shape = {192, 56, 56};
            layers.push_back(l);
        }
        browser.setLayers(layers);
        browser.tree()->expandAll();
        QVERIFY(browser.tree()->isColumnHidden(2));
        browser.resize(browser.widthForAllColumns(), 400);
        browser.show();
        QVERIFY(QTest::qWaitForWindowExposed(&browser));
        QCOMPARE(browser.tree()->horizontalScrollBar()->maximum(), 0);
        const QFontMetrics metrics(browser.tree()->font());
        QVERIFY(browser.tree()->header()->sectionSize(4) >=
            metrics.horizontalAdvance(QStringLiteral("LocalResponseNorm")));
        QHash<QString, QPair<QString, QString>> notes;
        notes.insert(QStringLiteral("norm1"), {QStringLiteral("RF 19 px"), QString()});
        browser.setAnnotations(notes);
        QVERIFY(!browser.tree()->isColumnHidden(2));
    }

    void jobsPanelCancelButtonAsksToCancel()
    {
        JobsPanel panel;
        panel.addJob(7, "render");
        panel.updateJob(7, 0.5, "half way");
        QCOMPARE(panel.jobText(7), QString("half way"));
        QCOMPARE(panel.runningCount(), 1);
        QSignalSpy spy(&panel, &JobsPanel::cancelRequested);
        auto* cancel = panel.findChild<QPushButton*>("cancel");
        QVERIFY(cancel);
        cancel->click();
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.first().at(0).toInt(), 7);
        panel.finishJob(7, "cancelled", widgets::JobState::Cancelled);
        QCOMPARE(panel.runningCount(), 0);
        QVERIFY(!cancel->isEnabled());
    }

    // A waiting job offers Run Next; a running one does not; a paused one says why it waits.
    void jobsPanelOffersRunNextWhileAJobWaits()
    {
        JobsPanel panel;
        panel.show();
        panel.addJob(3, "render");
        auto* runNext = panel.findChild<QPushButton*>("runNext");
        QVERIFY(runNext && runNext->isVisible());
        QSignalSpy spy(&panel, &JobsPanel::runNextRequested);
        runNext->click();
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.first().at(0).toInt(), 3);
        panel.setJobState(3, widgets::JobState::Running);
        QVERIFY(!runNext->isVisible());
        QCOMPARE(panel.jobText(3), QString("running"));
        panel.setJobState(3, widgets::JobState::Paused);
        QCOMPARE(panel.jobState(3), widgets::JobState::Paused);
        QVERIFY(panel.jobText(3).startsWith("paused"));
        panel.setJobState(3, widgets::JobState::Running);
        QCOMPARE(panel.jobText(3), QString("running"));
    }
};

QTEST_MAIN(TestPanels)
#include "test_panels.moc"
