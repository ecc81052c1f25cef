// Feature inversion on small test models: the code distance falls, bad input is refused.
#include "core/error.h"
#include "core/inversion.h"
#include "core/inversion_store.h"
#include "core/workspace.h"
#include "core/model.h"
#include "core/synthetic_shapes.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace loupe;

namespace {

RgbImage photo()
{
    SeededRandom rng(4);
    RgbImage image(40, 32);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) {
            auto* p = image.pixel(x, y);
            p[0] = std::uint8_t(x * 6);
            p[1] = std::uint8_t(y * 7);
            p[2] = std::uint8_t(rng.uniform() * 255);
        }
    return image;
}

}  // namespace

class TestInversion : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        model_ =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
    }

    void reconstructionsMatchTheCodeTenTimesBetter_data()
    {
        QTest::addColumn<QString>("layer");
        QTest::newRow("conv1") << "conv1";
        QTest::newRow("block") << "block";
    }
    void reconstructionsMatchTheCodeTenTimesBetter()
    {
        QFETCH(QString, layer);
        InversionConfig config;
        config.layers = {layer.toStdString()};
        config.steps = 400;
        int previews = 0;
        Progress progress;
        const Inversion inversion = invertImage(*model_, photo(), config, progress,
            [&](int index, const RgbImage& image, int, float error) {
                QCOMPARE(index, 0);
                QVERIFY(!image.empty() && error >= 0.f);
                ++previews;
            });
        QCOMPARE(inversion.layers.size(), size_t(1));
        const LayerInversion& result = inversion.layers.front();
        QCOMPARE(result.reconstruction.width, 32);
        QCOMPARE(inversion.target.width, 32);
        QCOMPARE(int(result.errorHistory.size()), 400);
        QVERIFY(previews > 0);
        QVERIFY2(result.finalError * 10.f <= result.initialError,
            qPrintable(QStringLiteral("code error %1 -> %2")
                           .arg(result.initialError)
                           .arg(result.finalError)));
    }

    void aRepeatedInversionIsReadFromTheWorkspace()
    {
        QTemporaryDir ws;
        auto workspace = Workspace::open(ws.filePath("w.sqlite").toStdString(), model_->hash());
        InversionConfig config;
        config.layers = {"conv1", "block"};
        config.steps = 30;
        Progress progress;
        bool fromCache = true;
        const Inversion first =
            cachedInversion(*model_, workspace.get(), photo(), config, progress, {}, &fromCache);
        QVERIFY(!fromCache);
        const Inversion again =
            cachedInversion(*model_, workspace.get(), photo(), config, progress, {}, &fromCache);
        QVERIFY(fromCache);
        QCOMPARE(again.layers.size(), size_t(2));
        for (size_t i = 0; i < 2; ++i) {
            QCOMPARE(again.layers[i].layer, first.layers[i].layer);
            QCOMPARE(again.layers[i].finalError, first.layers[i].finalError);
            QCOMPARE(again.layers[i].errorHistory, first.layers[i].errorHistory);
            QCOMPARE(again.layers[i].reconstruction.pixels, first.layers[i].reconstruction.pixels);
        }
        config.steps = 31;  // another setting: computed anew
        cachedInversion(*model_, workspace.get(), photo(), config, progress, {}, &fromCache);
        QVERIFY(!fromCache);
    }

    void badSettingsAreRefused()
    {
        Progress progress;
        InversionConfig config;
        QVERIFY_THROWS_EXCEPTION(
            Error, invertImage(*model_, photo(), config, progress));  // no layer
        config.layers = {"nowhere"};
        QVERIFY_THROWS_EXCEPTION(Error, invertImage(*model_, photo(), config, progress));
        config.layers = {"conv1"};
        config.steps = 0;
        QVERIFY_THROWS_EXCEPTION(Error, invertImage(*model_, photo(), config, progress));
        config.steps = 10;
        config.totalVariation = -1;
        QVERIFY_THROWS_EXCEPTION(Error, invertImage(*model_, photo(), config, progress));
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> model_;
};

QTEST_GUILESS_MAIN(TestInversion)
#include "test_inversion.moc"
