#include "core/activation_grid.h"
#include "core/activations.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/model.h"
#include "core/weights.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <numeric>

using namespace loupe;

namespace {

RgbImage barImage(int size, int column)
{
    RgbImage img(size, size);
    for (int y = 4; y < size - 4; ++y)
        for (int dx = 0; dx < 1; ++dx)
            std::fill(img.pixel(column + dx, y), img.pixel(column + dx, y) + 3, 255);
    return img;
}

}  // namespace

class TestActivations : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void barDetectorFiresOnTheBar()
    {
        const auto model =
            Model::load(test::writeBarDetector(dir_.path().toStdString()), DevicePreference::Cpu);
        const auto acts = computeActivations(*model, barImage(32, 21), "conv1");
        QCOMPARE(acts.channels, 4);
        QCOMPARE(acts.width, 32);
        const FloatMap map = acts.channelMap(0);
        const auto peak =
            std::max_element(map.values.begin(), map.values.end()) - map.values.begin();
        QCOMPARE(int(peak % 32), 21);
        QVERIFY(acts.channelMax[0] > 5 * acts.channelMax[2]);
        // The inverse detector is silenced by ReLU at the bar but fires next to it.
        QVERIFY(acts.channelMap(1).at(21, 16) == 0.f);
        const auto pre = computeActivations(*model, barImage(32, 21), "conv1", true);
        QVERIFY(pre.channelMap(1).at(21, 16) < 0.f);
    }

    void meansAndDeadChannelsMatchTheValues()
    {
        const auto model =
            Model::load(test::writeBarDetector(dir_.path().toStdString()), DevicePreference::Cpu);
        const auto acts = computeActivations(*model, RgbImage(32, 32), "conv1");
        for (int c = 0; c < acts.channels; ++c) {
            const FloatMap m = acts.channelMap(c);
            const float mean =
                std::accumulate(m.values.begin(), m.values.end(), 0.f) / float(m.values.size());
            QVERIFY(std::abs(mean - acts.channelMean[size_t(c)]) < 1e-5f);
            const bool allZero =
                std::all_of(m.values.begin(), m.values.end(), [](float v) { return v == 0.f; });
            QCOMPARE(bool(acts.dead[size_t(c)]), allZero);
        }
        // A black image gives the bar detectors (zero bias) nothing: they are flagged dead.
        QVERIFY(acts.dead[0]);
    }

    void predictionsAreSortedProbabilities()
    {
        const auto model =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
        const auto acts = computeActivations(*model, barImage(48, 10), "mixed");
        QCOMPARE(acts.layer, std::string("block"));
        QCOMPARE(acts.predictions.size(), size_t(3));
        float sum = 0;
        for (size_t i = 0; i < acts.predictions.size(); ++i) {
            sum += acts.predictions[i].probability;
            if (i > 0)
                QVERIFY(acts.predictions[i].probability <= acts.predictions[i - 1].probability);
        }
        QVERIFY(std::abs(sum - 1.f) < 1e-4f);
        QVERIFY(!acts.predictions[0].label.empty());
    }

    // The model refuses any non-zero input itself; capturing conv1 (cut before conv2) must
    // run that check too instead of returning activations the model would never produce.
    void capturesRunTheModelsOwnChecks()
    {
        const auto model = Model::load(
            test::writeCheckedInputModel(dir_.path().toStdString()), DevicePreference::Cpu);
        const auto black = computeActivations(*model, RgbImage(16, 16), "conv1");
        QCOMPARE(black.channels, 4);
        try {
            computeActivations(*model, barImage(16, 5), "conv1");
            QFAIL("the model's own check was skipped");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("only black images"), e.what());
        }
    }

    void nonSpatialLayerIsOneCellPerChannel()
    {
        const auto model =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
        const auto acts = computeActivations(*model, RgbImage(40, 20), "head");
        QCOMPARE(acts.channels, 3);
        QCOMPARE(acts.width * acts.height, 1);
    }

    void gridHasOneTilePerChannel()
    {
        const auto model =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
        const auto acts = computeActivations(*model, barImage(32, 8), "block");
        QCOMPARE(channelTiles(acts, true).size(), size_t(8));
        const RgbImage grid = activationGridImage(acts, false, 20);
        QCOMPARE(grid.width, 3 * 20 + 4 * 2);
        const QString out = dir_.filePath("grid.png");
        saveImage(grid, out.toStdString());
        QCOMPARE(loadImage(out.toStdString()).width, grid.width);
        QVERIFY_THROWS_EXCEPTION(Error, saveImage(grid, "/nonexistent-dir/grid.png"));
    }

    void firstLayerWeightsAreColourImages()
    {
        const auto model =
            Model::load(test::writeBarDetector(dir_.path().toStdString()), DevicePreference::Cpu);
        const auto w = layerWeights(*model, "conv1");
        QCOMPARE(w.weightPath, std::string("conv1.conv.weight"));
        QVERIFY(w.seesInput);
        QCOMPARE(w.colourFilters.size(), size_t(4));
        // The bar filter's centre column is its brightest part.
        const RgbImage& f = w.colourFilters[0];
        QVERIFY(f.pixel(2, 2)[0] > 200 && f.pixel(0, 2)[0] < 128);
    }

    void deeperWeightsListStrongestInputsFirst()
    {
        const auto model =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
        const auto w = layerWeights(*model, "block.b2", 3);
        QVERIFY(!w.seesInput);
        QCOMPARE(w.kernels.size(), size_t(5));
        QCOMPARE(w.kernels[0].size(), size_t(3));
        for (const auto& filter : w.kernels)
            for (size_t i = 1; i < filter.size(); ++i)
                QVERIFY(filter[i].strength <= filter[i - 1].strength);
        try {
            layerWeights(*model, "block");
            QFAIL("a block with two convolutions has no single filter bank");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("2 convolutions"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, layerWeights(*model, "pool"));
    }

private:
    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestActivations)
#include "test_activations.moc"
