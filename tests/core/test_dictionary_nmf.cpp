#include "core/activation_grid_vis.h"
#include "core/activations.h"
#include "core/error.h"
#include "core/model.h"
#include "core/featurevis.h"
#include "core/named_directions.h"
#include "core/nmf.h"
#include "core/workspace.h"
#include "core/semantic_dictionary.h"
#include "core/synthetic_shapes.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <numeric>

using namespace loupe;

namespace {

RgbImage barImage(int column)
{
    RgbImage img(32, 32);
    for (int y = 6; y < 26; ++y)
        std::fill(img.pixel(column, y), img.pixel(column, y) + 3, 255);
    return img;
}

double cosine(const float* a, const float* b, int n)
{
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < n; ++i) {
        ab += double(a[i]) * b[i];
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
    }
    return ab / std::sqrt(std::max(1e-20, aa * bb));
}

}  // namespace

class TestDictionaryNmf : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        bars_ =
            Model::load(test::writeBarDetector(dir_.path().toStdString()), DevicePreference::Cpu);
        branchy_ =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
    }

    void clickOnThePatternRanksItsDetectorFirst()
    {
        const auto acts = computeActivations(*bars_, barImage(20), "conv1");
        const auto onBar =
            semanticDictionary(acts, cellsForBox(32, 32, 32, acts.width, acts.height, 20, 16), 4);
        QVERIFY(!onBar.empty());
        QCOMPARE(onBar.front().channel, 0);
        QVERIFY(onBar.front().share > 0.5f);
        // Away from the bar, the bar detector is silent.
        const auto away =
            semanticDictionary(acts, cellsForBox(32, 32, 32, acts.width, acts.height, 5, 16), 4);
        QVERIFY(away.empty() || away.front().channel != 0);
        // A box around the bar averages over it and still finds it.
        const auto box = semanticDictionary(
            acts, cellsForBox(32, 32, 32, acts.width, acts.height, 18, 10, 5, 12), 0);
        QCOMPARE(box.front().channel, 0);
        const float shares = std::accumulate(box.begin(), box.end(), 0.f,
            [](float s, const DictionaryEntry& e) { return s + e.share; });
        QVERIFY(std::abs(shares - 1.f) < 1e-4f);
    }

    void clicksMapThroughTheCentreCrop()
    {
        // 64x32 image, 32 px input: resized 64x32, crop x from 16 to 48.
        const CellRange inside = cellsForBox(64, 32, 32, 16, 16, 40, 16);
        QCOMPARE(inside.x0, (40 - 16) / 2);
        QCOMPARE(inside.y0, 8);
        QVERIFY_THROWS_EXCEPTION(Error, cellsForBox(64, 32, 32, 16, 16, 10, 5));  // cropped away
        QVERIFY_THROWS_EXCEPTION(
            Error, cellsForBox(64, 32, 32, 16, 16, 70, 5));  // outside the image
        QVERIFY_THROWS_EXCEPTION(Error, cellsForBox(64, 32, 32, 1, 1, 30, 5));  // no spatial extent
        const ImageRect r = imageRectOfCell(64, 32, 32, 16, 16, 12, 8);
        QCOMPARE(r.x, 40.0);
        QCOMPARE(r.width, 2.0);
    }

    void nonSpatialLayerHasNoRegionalDictionary()
    {
        const auto head = computeActivations(*branchy_, barImage(3), "head");
        QVERIFY_THROWS_EXCEPTION(Error, semanticDictionary(head, CellRange{}, 3));
    }

    void nmfRecoversKnownFactors()
    {
        // Four factors over 24 channels, each mostly on its own channels; 300 positions.
        const int n = 300, c = 24, k = 4;
        SeededRandom rng(5);
        std::vector<float> H(size_t(k * c), 0.f), W(size_t(n * k), 0.f), V(size_t(n * c), 0.f);
        for (int f = 0; f < k; ++f)
            for (int j = 0; j < c; ++j)
                H[size_t(f * c + j)] =
                    (j / 6 == f) ? float(0.5 + rng.uniform()) : float(0.05 * rng.uniform());
        for (int i = 0; i < n; ++i)
            for (int f = 0; f < k; ++f)
                W[size_t(i * k + f)] = rng.uniform() < 0.4 ? float(rng.uniform() * 3) : 0.f;
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < c; ++j)
                for (int f = 0; f < k; ++f)
                    V[size_t(i * c + j)] += W[size_t(i * k + f)] * H[size_t(f * c + j)];

        const NmfResult r = nonNegativeFactorization(V, n, c, k, 800, 3);
        for (size_t i = 1; i < r.errorHistory.size(); ++i)
            QVERIFY2(
                r.errorHistory[i] <= r.errorHistory[i - 1] + 1e-6f, qPrintable(QString::number(i)));
        QVERIFY(r.errorHistory.back() < 0.05f);
        for (float v : r.components)
            QVERIFY(v >= 0);
        for (float v : r.weights)
            QVERIFY(v >= 0);
        // Up to permutation and scale: every true factor has a recovered twin.
        for (int f = 0; f < k; ++f) {
            double best = 0;
            for (int g = 0; g < k; ++g)
                best = std::max(best, cosine(&H[size_t(f * c)], &r.components[size_t(g * c)], c));
            QVERIFY2(best > 0.95, qPrintable(QString("factor %1: cosine %2").arg(f).arg(best)));
        }
    }

    void nmfRefusesBadInput()
    {
        QVERIFY_THROWS_EXCEPTION(Error, nonNegativeFactorization({1, 2, 3, 4}, 2, 2, 3));
        QVERIFY_THROWS_EXCEPTION(Error, nonNegativeFactorization({1, -2, 3, 4}, 2, 2, 1));
        QVERIFY_THROWS_EXCEPTION(Error, factorizeLayer(*branchy_, {barImage(4)}, "block", 9));
        QVERIFY_THROWS_EXCEPTION(Error, factorizeLayer(*branchy_, {barImage(4)}, "head", 2));
    }

    void layerFactorsOverSeveralImages()
    {
        const std::vector<RgbImage> images = {renderShapeSample(ShapeClass::Spiral, 1, 32),
            renderShapeSample(ShapeClass::Star, 2, 32)};
        const LayerFactors f = factorizeLayer(*branchy_, images, "mixed", 3, 100);
        QCOMPARE(f.layer, std::string("block"));
        QCOMPARE(f.maps.size(), size_t(2));
        QCOMPARE(f.maps[0].size(), size_t(3 * 32 * 32));
        QCOMPARE(f.components.size(), size_t(3 * 8));
        QVERIFY(f.errorHistory.back() < f.errorHistory.front());
    }

    void nmfFactorBecomesAFeatureVisObjective()
    {
        const LayerFactors f = factorizeLayer(
            *branchy_, {renderShapeSample(ShapeClass::Rings, 4, 32)}, "block", 2, 100);
        auto workspace =
            Workspace::open(dir_.filePath("directions.sqlite").toStdString(), branchy_->hash());
        NamedDirection d{"rings", f.layer,
            std::vector<float>(f.components.begin(), f.components.begin() + f.channels)};
        saveDirection(*workspace, d);
        QCOMPARE(directionNames(*workspace), std::vector<std::string>{"rings"});
        FeatureVisConfig config;
        config.objective = ObjectiveTerm::parse("direction:rings");
        config.size = 32;
        config.steps = 40;
        config.previewEvery = 0;
        resolveDirections(config.objective, *workspace);
        QCOMPARE(config.objective[0].layer, std::string("block"));
        QCOMPARE(config.objective[0].direction.size(), size_t(8));
        Progress progress;
        const auto result = renderFeatureVis(*branchy_, config, progress);
        QVERIFY(result.finalObjective > result.initialObjective);
        auto missing = ObjectiveTerm::parse("direction:nope");
        QVERIFY_THROWS_EXCEPTION(Error, resolveDirections(missing, *workspace));
    }

    void activationGridDrawsEveryActiveCell()
    {
        FeatureVisConfig base;
        base.size = 16;
        base.steps = 8;
        Progress progress;
        const auto grid = renderActivationGrid(
            *branchy_, renderShapeSample(ShapeClass::Cross, 3, 32), "block", 4, base, progress);
        QCOMPARE(grid.columns, 4);
        QCOMPARE(grid.rows, 4);
        QCOMPARE(grid.cells.size(), size_t(16));
        int drawn = 0;
        for (const auto& c : grid.cells)
            drawn += !c.empty();
        QVERIFY(drawn > 0);
        QCOMPARE(grid.mosaic.width, 4 * 16 + 5);
        QVERIFY_THROWS_EXCEPTION(Error,
            renderActivationGrid(
                *branchy_, renderShapeSample(ShapeClass::Cross, 3, 32), "head", 4, base, progress));
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> bars_;
    std::unique_ptr<Model> branchy_;
};

QTEST_GUILESS_MAIN(TestDictionaryNmf)
#include "test_dictionary_nmf.moc"
