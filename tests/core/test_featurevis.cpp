#include "core/error.h"
#include "core/featurevis.h"
#include "core/featurevis_cache.h"
#include "core/model.h"
#include "core/synthetic_shapes.h"
#include "core/workspace.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace loupe;

namespace {

FeatureVisConfig quick(const std::string& objective, int steps = 48)
{
    FeatureVisConfig c;
    c.objective = ObjectiveTerm::parse(objective);
    c.size = 32;
    c.steps = steps;
    c.jitterPixels = 2;
    c.previewEvery = 0;
    return c;
}

int maxPixelDifference(const RgbImage& a, const RgbImage& b)
{
    int diff = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i)
        diff = std::max(diff, std::abs(int(a.pixels[i]) - int(b.pixels[i])));
    return diff;
}

QString errorOf(Model& model, const FeatureVisConfig& config)
{
    Progress progress;
    try {
        renderFeatureVis(model, config, progress);
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestFeatureVis : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        branchy_ =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
        bars_ =
            Model::load(test::writeBarDetector(dir_.path().toStdString()), DevicePreference::Cpu);
    }

    void objectivesParse()
    {
        const auto terms = ObjectiveTerm::parse(
            "0.5*channel:block:3+neuron:conv1:2@4,5+layer:pool+logit:1+block:7");
        QCOMPARE(terms.size(), size_t(5));
        QCOMPARE(terms[0].weight, 0.5f);
        QVERIFY(terms[1].kind == ObjectiveTerm::Kind::Neuron && terms[1].x == 4 && terms[1].y == 5);
        QVERIFY(terms[2].kind == ObjectiveTerm::Kind::Layer);
        QVERIFY(terms[3].kind == ObjectiveTerm::Kind::Logit && terms[3].channel == 1);
        QVERIFY(terms[4].kind == ObjectiveTerm::Kind::Channel && terms[4].channel == 7);
        QVERIFY_THROWS_EXCEPTION(Error, ObjectiveTerm::parse("block"));
        QVERIFY_THROWS_EXCEPTION(Error, ObjectiveTerm::parse("logit:x"));
    }

    void channelObjectiveBeatsEveryNaturalImage()
    {
        // The vertical-bar detector, against the best of 60 shape images (lines included).
        float natural = 0;
        for (int cls = 0; cls < kShapeClassCount; ++cls)
            for (std::uint64_t seed = 1; seed <= 6; ++seed)
                natural = std::max(natural,
                    objectiveValue(*bars_, ObjectiveTerm::parse("conv1:0"),
                        renderShapeSample(ShapeClass(cls), seed, 32)));
        Progress progress;
        const auto result = renderFeatureVis(*bars_, quick("conv1:0", 96), progress);
        qInfo("bar detector: natural max %.3f, start %.3f, optimised %.3f", natural,
            result.initialObjective, result.finalObjective);
        QVERIFY(result.finalObjective > 2 * natural);
        QVERIFY(result.finalObjective > result.initialObjective);
        QCOMPARE(int(result.objectiveHistory.size()), 96);
        QCOMPARE(result.images.size(), size_t(1));
        QCOMPARE(result.images[0].width, 32);
    }

    void everyObjectiveKindRises_data()
    {
        QTest::addColumn<QString>("objective");
        QTest::newRow("channel") << "channel:block:4";
        QTest::newRow("neuron") << "neuron:block:2@10,12";
        QTest::newRow("layer") << "layer:pool";
        QTest::newRow("logit") << "logit:1";
        QTest::newRow("probability") << "probability:2";
        QTest::newRow("interaction") << "block:1+block:6";
    }
    void everyObjectiveKindRises()
    {
        QFETCH(QString, objective);
        Progress progress;
        const auto result = renderFeatureVis(*branchy_, quick(objective.toStdString()), progress);
        QVERIFY2(result.finalObjective > result.initialObjective,
            qPrintable(
                QString("%1 -> %2").arg(result.initialObjective).arg(result.finalObjective)));
    }

    void directionObjectiveRises()
    {
        FeatureVisConfig config = quick("block:0");
        config.objective[0].kind = ObjectiveTerm::Kind::Direction;
        config.objective[0].direction = {0.5f, 0, 0, 1, 0, 0, -0.5f, 0};
        Progress progress;
        const auto result = renderFeatureVis(*branchy_, config, progress);
        QVERIFY(result.finalObjective > result.initialObjective);
    }

    void negativeVisualizationLowersTheObjective()
    {
        FeatureVisConfig config = quick("block:4");
        config.negative = true;
        Progress progress;
        const auto result = renderFeatureVis(*branchy_, config, progress);
        QVERIFY(result.finalObjective < result.initialObjective);
    }

    void sameSeedSameImage()
    {
        Progress progress;
        FeatureVisConfig config = quick("block:3", 16);
        const auto a = renderFeatureVis(*branchy_, config, progress);
        const auto b = renderFeatureVis(*branchy_, config, progress);
        QVERIFY(a.images[0].pixels == b.images[0].pixels);
        config.seed = 9;
        const auto c = renderFeatureVis(*branchy_, config, progress);
        QVERIFY(a.images[0].pixels != c.images[0].pixels);
    }

    void cachedRenderKeepsItsObjectiveCurve()
    {
        QTemporaryDir dir;
        auto ws = Workspace::open(dir.filePath("w.sqlite").toStdString(), branchy_->hash());
        const FeatureVisConfig config = quick("block:3", 16);
        QVERIFY(!cachedFeatureVisResult(*ws, config));
        Progress progress;
        const auto rendered = renderFeatureVis(*branchy_, config, progress);
        storeFeatureVisResult(*ws, config, rendered);
        const auto cached = cachedFeatureVisResult(*ws, config);
        QVERIFY(cached);
        QVERIFY(cached->images.front().pixels == rendered.images.front().pixels);
        QCOMPARE(cached->objectiveHistory, rendered.objectiveHistory);
        QCOMPARE(cached->finalObjective, rendered.finalObjective);
        QCOMPARE(cached->stepsDone, 16);
        // An image stored without a record (a layer render's channel) comes back without a curve.
        const FeatureVisConfig other = quick("block:2", 16);
        storeFeatureVis(*ws, other, rendered.images.front());
        QVERIFY(cachedFeatureVisResult(*ws, other)->objectiveHistory.empty());
    }

    // Other panels show a channel as the user last rendered it (a layer render or a single one,
    // any settings); a negative render is not what the channel responds to.
    void channelPictureIsTheLatestPositiveRender()
    {
        QTemporaryDir dir;
        auto ws = Workspace::open(dir.filePath("w.sqlite").toStdString(), branchy_->hash());
        QVERIFY(!channelPicture(*ws, "block", 3));
        Progress progress;
        const FeatureVisConfig base = quick("block:0", 8);
        const auto layer = renderLayerFeatureVis(*branchy_, ws.get(), base, "block", 4, progress);
        QVERIFY(channelPicture(*ws, "block", 3)->pixels == layer.images[3].pixels);

        FeatureVisConfig single = quick("block:3", 12);
        single.size = 48;
        const auto rendered = renderFeatureVis(*branchy_, single, progress);
        storeFeatureVisResult(*ws, single, rendered);
        QCOMPARE(channelPicture(*ws, "block", 3)->width, 48);

        FeatureVisConfig negative = single;
        negative.negative = true;
        storeFeatureVisResult(*ws, negative, renderFeatureVis(*branchy_, negative, progress));
        QVERIFY(channelPicture(*ws, "block", 3)->pixels == rendered.images.front().pixels);
    }

    void batchedLayerRenderEqualsOneByOne()
    {
        FeatureVisConfig base = quick("block:0", 24);
        Progress progress;
        FeatureVisConfig batched = base;
        batched.perImageLayer = "block";
        batched.perImageChannels = {0, 3, 5};
        const auto together = renderFeatureVis(*branchy_, batched, progress);
        QCOMPARE(together.images.size(), size_t(3));
        for (size_t i = 0; i < 3; ++i) {
            const auto alone = renderFeatureVis(
                *branchy_, channelConfig(base, "block", batched.perImageChannels[i]), progress);
            QVERIFY2(maxPixelDifference(alone.images[0], together.images[i]) <= 2,
                qPrintable(
                    QString::number(maxPixelDifference(alone.images[0], together.images[i]))));
        }
    }

    // Atlas icons and activation-grid cells are rendered in chunks (smaller after an
    // out-of-memory): the chunking must not change the images.
    void chunkedDirectionRenderEqualsOneBatch()
    {
        FeatureVisConfig config = quick("block:0", 24);
        config.perImageLayer = "block";
        for (int i = 0; i < 5; ++i) {
            std::vector<float> direction(8, 0.1f);
            direction[size_t(i)] = 1.f;
            config.perImageDirections.push_back(direction);
        }
        Progress progress;
        const auto together = renderFeatureVis(*branchy_, config, progress);
        const auto chunked = renderPerImageInBatches(*branchy_, config, 2, progress);
        QCOMPARE(chunked.images.size(), size_t(5));
        for (size_t i = 0; i < 5; ++i)
            QVERIFY2(maxPixelDifference(chunked.images[i], together.images[i]) <= 2,
                qPrintable(
                    QString::number(maxPixelDifference(chunked.images[i], together.images[i]))));
    }

    void pixelAndFourierBothRaiseTheObjective()
    {
        Progress progress;
        FeatureVisConfig pixel = quick("channel:block:5", 48);
        pixel.parameterization = FeatureVisConfig::Parameterization::Pixel;
        pixel.decorrelateColour = false;
        const auto p = renderFeatureVis(*branchy_, pixel, progress);
        QVERIFY(p.finalObjective > p.initialObjective);
        FeatureVisConfig noTransforms = quick("channel:block:5", 48);
        noTransforms.transformationRobustness = false;
        const auto f = renderFeatureVis(*branchy_, noTransforms, progress);
        QVERIFY(f.finalObjective > f.initialObjective);
    }

    void progressiveUpscalingEndsAtFullSize()
    {
        FeatureVisConfig config = quick("channel:block:5", 30);
        config.size = 64;
        config.parameterization = FeatureVisConfig::Parameterization::Upscaling;
        Progress progress;
        int smallestPreview = 1000;
        config.previewEvery = 5;
        const auto result = renderFeatureVis(
            *branchy_, config, progress, [&](const std::vector<RgbImage>& images, int, float) {
                smallestPreview = std::min(smallestPreview, images.front().width);
            });
        QCOMPARE(smallestPreview, 16);  // started at a quarter of the size
        QCOMPARE(result.images[0].width, 64);
        QVERIFY(result.finalObjective > result.initialObjective);
    }

    void preReluObjectiveMovesASilentUnit()
    {
        // On the flat grey start image the bar detector (zero bias, zero-sum kernel) is near
        // zero; optimising its pre-ReLU value works from there.
        FeatureVisConfig config = quick("conv1:0", 40);
        config.preRelu = true;
        Progress progress;
        const auto result = renderFeatureVis(*bars_, config, progress);
        QVERIFY(result.finalObjective > result.initialObjective);
        QVERIFY(result.warning.empty());
    }

    void diversityGivesDifferentImages()
    {
        FeatureVisConfig config = quick("block:2", 24);
        config.batch = 3;
        config.diversity = 1.f;
        Progress progress;
        const auto result = renderFeatureVis(*branchy_, config, progress);
        QCOMPARE(result.images.size(), size_t(3));
        QVERIFY(result.images[0].pixels != result.images[1].pixels);
    }

    void badObjectivesAreExplained()
    {
        const auto features = Model::load(
            test::writeFeatureExtractor(dir_.path().toStdString()), DevicePreference::Cpu);
        QVERIFY(errorOf(*branchy_, quick("nope:1")).contains("unknown layer"));
        QVERIFY(errorOf(*branchy_, quick("block:8")).contains("out of range"));
        QVERIFY(errorOf(*branchy_, quick("neuron:head:1")).contains("spatial"));
        QVERIFY(errorOf(*branchy_, quick("logit:3")).contains("out of range"));
        QVERIFY(errorOf(*features, quick("logit:0")).contains("no classifier"));
        // A channel objective on a non-spatial layer is allowed.
        QVERIFY(errorOf(*branchy_, quick("head:1", 4)).isEmpty());
    }

    void cancelledLayerRenderCachesOnlyFinishedBatches()
    {
        QTemporaryDir dir;
        auto ws = Workspace::open(dir.filePath("w.sqlite").toStdString(), branchy_->hash());
        FeatureVisConfig base = quick("block:0", 40);
        Progress* self = nullptr;
        Progress progress([&](double fraction, const std::string&) {
            if (fraction > 0.6 && self)
                self->cancel();
        });
        self = &progress;
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, renderLayerFeatureVis(*branchy_, ws.get(), base, "block", 3, progress));
        const int cached = ws->count("featurevis");
        QVERIFY2(cached % 3 == 0 && cached < 8, qPrintable(QString::number(cached)));

        Progress fresh;
        const auto first = renderLayerFeatureVis(*branchy_, ws.get(), base, "block", 3, fresh);
        QCOMPARE(first.fromCache, cached);
        QCOMPARE(first.rendered, 8 - cached);
        const auto again = renderLayerFeatureVis(*branchy_, ws.get(), base, "block", 3, fresh);
        QCOMPARE(again.fromCache, 8);
        QCOMPARE(again.rendered, 0);
        for (int c = 0; c < 8; ++c)
            QVERIFY(again.images[size_t(c)].pixels == first.images[size_t(c)].pixels);
    }

    void cancelStopsASingleRender()
    {
        FeatureVisConfig config = quick("block:1", 1000);
        Progress* self = nullptr;
        Progress progress([&](double fraction, const std::string&) {
            if (fraction > 0.01 && self)
                self->cancel();
        });
        self = &progress;
        QVERIFY_THROWS_EXCEPTION(Cancelled, renderFeatureVis(*branchy_, config, progress));
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> branchy_;
    std::unique_ptr<Model> bars_;
};

QTEST_GUILESS_MAIN(TestFeatureVis)
#include "test_featurevis.moc"
