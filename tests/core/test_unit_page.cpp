// The unit page's own pieces (core/unit_page.h): links, adjacent layers, neighbours found
// on a planted circuit, and the orientation tuning read back from a cached sweep.
#include "core/activations.h"
#include "core/error.h"
#include "core/model.h"
#include "core/stimulus.h"
#include "core/tuning.h"
#include "core/unit_page.h"
#include "core/workspace.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace loupe;

class TestUnitPage : public QObject {
    Q_OBJECT
private slots:
    void linksRoundTripAndRefuseWhatIsNotALink()
    {
        const std::string hash = "0123456789abcdef0123456789abcdef";
        const UnitLink link{hash, "inception_3b.b5x5.conv", 413};
        QCOMPARE(QString::fromStdString(link.toString()),
            QString("loupe://0123456789abcdef0123456789abcdef/inception_3b.b5x5.conv/413"));
        const auto back = parseUnitLink("  " + link.toString() + "\n");
        QVERIFY(back);
        QCOMPARE(QString::fromStdString(back->modelHash), QString::fromStdString(hash));
        QCOMPARE(QString::fromStdString(back->layer), QString("inception_3b.b5x5.conv"));
        QCOMPARE(back->channel, 413);
        for (const char* notALink :
            {"inception_3b:413", "http://0123456789abcdef/a/1", "loupe://not-a-hash/a/1",
                "loupe://0123456789abcdef/a/", "loupe://0123456789abcdef/a/-1",
                "loupe://0123456789abcdef/1", "loupe://0123456789abcdef//3"})
            QVERIFY2(!parseUnitLink(notALink), notALink);
    }

    void adjacentLayersSkipLayersWithoutWeights()
    {
        const auto branchy =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
        // conv1 -> block -> pool -> head: the pool has no weights and the head is not spatial.
        const AdjacentLayers ofBlock = adjacentLayers(*branchy, "mixed");  // by alias
        QCOMPARE(QString::fromStdString(ofBlock.previous), QString("conv1"));
        QCOMPARE(QString::fromStdString(ofBlock.next), QString());
        const AdjacentLayers ofConv1 = adjacentLayers(*branchy, "conv1");
        QCOMPARE(QString::fromStdString(ofConv1.previous), QString());
        QCOMPARE(QString::fromStdString(ofConv1.next), QString("block"));
        QVERIFY_THROWS_EXCEPTION(Error, adjacentLayers(*branchy, "nope"));
    }

    // conv2 channel j reads conv1 channel (j + 1) % 4 and nothing else: the page must find
    // exactly that wiring both ways, and leave the open model as it was.
    void neighboursFindThePlantedWiring()
    {
        const auto model =
            Model::load(test::writeWiredChain(dir_.path().toStdString()), DevicePreference::Cpu);
        QCOMPARE(QString::fromStdString(checkedUnit(*model, "conv2", 3).path), QString("conv2"));
        QVERIFY_THROWS_EXCEPTION(Error, checkedUnit(*model, "conv2", 4));  // 4 channels
        QVERIFY_THROWS_EXCEPTION(Error, checkedUnit(*model, "conv9", 0));
        const RgbImage image = test::noiseImage(16, 16, 7);
        const LayerActivations before = computeActivations(*model, image, "conv2", false, 0);

        std::vector<double> reported;
        Progress progress([&](double f, const std::string&) { reported.push_back(f); });
        for (int c = 0; c < 4; ++c) {
            reported.clear();
            const UnitNeighbours fromConv1 =
                unitNeighbours(*model, image, "conv1", c, -1, -1, 8, progress);
            QVERIFY(std::is_sorted(reported.begin(), reported.end()));  // stage by stage
            QVERIFY(reported.size() >= 3 && reported.back() == 1.0);
            QCOMPARE(int(fromConv1.outputs.size()), 1);  // only one unit loses anything
            QCOMPARE(QString::fromStdString(fromConv1.outputs[0].layer), QString("conv2"));
            QCOMPARE(fromConv1.outputs[0].channel, (c + 3) % 4);
            QVERIFY(fromConv1.outputs[0].value > 0);
            QVERIFY(fromConv1.inputs.empty());
            QVERIFY(!fromConv1.inputsProblem.empty());  // conv1 has no earlier layer

            const UnitNeighbours ofConv2 =
                unitNeighbours(*model, image, "conv2", c, 8, 8, 4, progress);
            QVERIFY(!ofConv2.inputs.empty());
            QCOMPARE(QString::fromStdString(ofConv2.inputs[0].layer), QString("conv1"));
            QCOMPARE(ofConv2.inputs[0].channel, (c + 1) % 4);
            QVERIFY(ofConv2.inputs[0].value > 0);
            for (size_t i = 1; i < ofConv2.inputs.size(); ++i)
                QVERIFY(std::abs(ofConv2.inputs[i].value) < 1e-6f);
            QVERIFY(ofConv2.outputs.empty());
            QVERIFY(!ofConv2.outputsProblem.empty());
        }
        const LayerActivations after = computeActivations(*model, image, "conv2", false, 0);
        QVERIFY(after.values == before.values);  // the ablation ran on a copy
        progress.cancel();
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, unitNeighbours(*model, image, "conv2", 0, 8, 8, 4, progress));
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, unitNeighbours(*model, image, "conv1", 0, -1, -1, 8, progress));
    }

    // The page shows the orientation tuning that a sweep already measured, from the largest
    // such sweep, and nothing for a unit no sweep measured.
    void orientationTuningIsReadFromACachedSweep()
    {
        constexpr double kPreferred = 60;
        const auto model = Model::load(
            test::writeCurveDetector(dir_.path().toStdString(), kPreferred), DevicePreference::Cpu);
        auto workspace =
            Workspace::open(dir_.filePath("tuning.sqlite").toStdString(), model->hash());
        QVERIFY(!cachedOrientationTuning(*workspace, "conv1", 0));
        SweepConfig coarse;
        coarse.base.width = 0.12;
        coarse.axes = parseSweep("orientation=0:360:30");
        coarse.target = {"conv1", {0, 1}};
        SweepConfig fine = coarse;
        fine.axes = parseSweep("orientation=0:360:5,curvature=1:3:1");
        Progress progress;
        cachedSweep(*model, *workspace, coarse, progress);
        const SweepResult measured = cachedSweep(*model, *workspace, fine, progress);

        const auto tuning = cachedOrientationTuning(*workspace, "conv1", 0);
        QVERIFY(tuning);
        QCOMPARE(tuning->degrees.size(), size_t(72));  // the fine sweep, not the coarse one
        QCOMPARE(QString::fromStdString(tuning->stimulus), QString("curve"));
        const RadialTuning radial = selectChannels(radialTuning(measured), {0});
        QCOMPARE(tuning->response, radial.responses.front());
        const size_t peak =
            size_t(std::max_element(tuning->response.begin(), tuning->response.end()) -
                tuning->response.begin());
        const double off = std::abs(std::remainder(tuning->degrees[peak] - kPreferred, 360.0));
        QVERIFY2(off <= 5, qPrintable(QString::number(tuning->degrees[peak])));
        QVERIFY(!cachedOrientationTuning(*workspace, "conv1", 2));  // not measured
        QVERIFY(!cachedOrientationTuning(*workspace, "other", 0));
    }

private:
    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestUnitPage)
#include "test_unit_page.moc"
