// DeepDream, style transfer, adversarial examples and fooling images on small test models:
// each optimisation does what it claims, and bad settings are refused with a clear error.
#include "core/adversarial.h"
#include "core/classify.h"
#include "core/deepdream.h"
#include "core/error.h"
#include "core/featurevis.h"
#include "core/input_geometry.h"
#include "core/model.h"
#include "core/style_transfer.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace loupe;

namespace {

// Smooth gradients plus mild noise: a photo-like start that is not saturated.
RgbImage photo(int width, int height, std::uint64_t seed)
{
    const RgbImage noise = test::noiseImage(width, height, seed);
    RgbImage image(width, height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c)
                image.pixel(x, y)[c] = std::uint8_t(60 +
                    (x * 90 / width + y * 40 / height) * (c + 1) / 3 + noise.pixel(x, y)[c] / 8);
    return image;
}

int pixelDifference(const RgbImage& a, const RgbImage& b, size_t i)
{
    return int(a.pixels[i]) - int(b.pixels[i]);
}

}  // namespace

class TestImageExperiments : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        const std::string dir = dir_.path().toStdString();
        branchy_ = Model::load(test::writeBranchyCnn(dir), DevicePreference::Cpu);
        linear_ = Model::load(test::writeLinearModel(dir), DevicePreference::Cpu);
    }

    void deepDreamAmplifiesItsObjectiveStartingFromThePhoto()
    {
        DreamConfig config;
        config.objective = "layer:block";
        config.octaves = 2;
        config.stepsPerOctave = 20;
        config.jitterPixels = 2;
        int previews = 0;
        Progress progress;
        const RgbImage start = photo(48, 40, 1);
        const Dream dream = dreamImage(*branchy_, start, config, progress,
            [&](const RgbImage& image, int, float) { previews += !image.empty(); });
        QCOMPARE(dream.dream.width, 32);
        QCOMPARE(dream.octaveSizes, (std::vector<int>{23, 32}));
        QCOMPARE(int(dream.objectiveHistory.size()), 40);
        QVERIFY(previews > 0);
        QVERIFY2(dream.finalObjective > 1.5f * dream.initialObjective,
            qPrintable(
                QStringLiteral("%1 -> %2").arg(dream.initialObjective).arg(dream.finalObjective)));
        // Started from the photo: still close to it, unlike a render from noise.
        double difference = 0;
        for (size_t i = 0; i < dream.photo.pixels.size(); ++i)
            difference += std::abs(pixelDifference(dream.dream, dream.photo, i));
        difference /= double(dream.photo.pixels.size());
        QVERIFY2(difference > 0.5 && difference < 40, qPrintable(QString::number(difference)));
    }

    void deepDreamRefusesOctavesBelowSixteenPixels()
    {
        DreamConfig config;
        config.objective = "layer:block";
        config.octaves = 6;
        config.octaveScale = 2.f;
        Progress progress;
        QVERIFY_THROWS_EXCEPTION(Error, dreamImage(*branchy_, photo(32, 32, 2), config, progress));
    }

    void styleLossFallsAndTheContentIsKept()
    {
        StyleConfig config;
        config.contentLayer = "conv1";
        config.styleLayers = {"conv1", "block"};
        config.steps = 120;
        config.learningRate = 0.05f;
        Progress progress;
        // Photos of different sizes: each is brought to the model's input.
        const StyleTransfer result = transferStyle(
            *branchy_, photo(40, 32, 3), test::noiseImage(64, 80, 9), config, progress);
        QCOMPARE(result.result.width, 32);
        QCOMPARE(result.style.width, 32);
        QCOMPARE(int(result.styleLoss.size()), 120);
        // Monotone on average: every quarter's mean below the one before.
        double previous = 1e30;
        for (int q = 0; q < 4; ++q) {
            double mean = 0;
            for (int i = q * 30; i < (q + 1) * 30; ++i)
                mean += result.styleLoss[size_t(i)] / 30.0;
            QVERIFY2(mean < previous,
                qPrintable(
                    QStringLiteral("quarter %1: %2 after %3").arg(q).arg(mean).arg(previous)));
            previous = mean;
        }
        QVERIFY(result.styleLoss.back() < 0.5f * result.styleLoss.front());
        QVERIFY(result.contentLoss.back() < 1.f);
    }

    void styleTransferRefusesALayerWithoutSpatialOutput()
    {
        StyleConfig config;
        config.contentLayer = "conv1";
        config.styleLayers = {"head"};
        config.steps = 2;
        Progress progress;
        try {
            transferStyle(*branchy_, photo(32, 32, 1), photo(32, 32, 2), config, progress);
            QFAIL("a non-spatial style layer was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("spatial"), e.what());
        }
    }

    void fgsmStepsExactlyEpsilonTimesTheGradientSign()
    {
        // The linear model's cross-entropy gradient by hand: for two classes it is
        // p_other * (w_other - w_source), so its sign is sign(w_other - w_source).
        RgbImage image(8, 8);
        for (size_t i = 0; i < image.pixels.size(); ++i)
            image.pixels[i] = std::uint8_t(100 + (i * 37) % 50);
        AttackConfig config;
        config.method = AttackConfig::Method::Fgsm;
        config.epsilon = 6;
        Progress progress;
        const Attack attack = attackImage(*linear_, image, config, progress);
        const int source = attack.sourceClass, other = 1 - source;
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < 8; ++y)
                for (int x = 0; x < 8; ++x) {
                    const int index = c * 64 + y * 8 + x;  // the model flattens CHW
                    const float g = test::linearModelWeight(other, index) -
                        test::linearModelWeight(source, index);
                    const size_t p = size_t(y * 8 + x) * 3 + size_t(c);
                    QCOMPARE(pixelDifference(attack.adversarial, attack.original, p),
                        g > 0       ? 6
                            : g < 0 ? -6
                                    : 0);
                }
        QCOMPARE(attack.linfPixels, 6.f);
    }

    void pgdFlipsThePredictionWithinTheBall()
    {
        AttackConfig config;
        config.epsilon = 24;
        config.stepSize = 4;
        config.steps = 20;
        Progress progress;
        const RgbImage image = photo(32, 32, 5);
        const Attack attack = attackImage(*branchy_, image, config, progress);
        QVERIFY2(attack.succeeded, "PGD did not change the top-1");
        QCOMPARE(attack.before.front().index, attack.sourceClass);
        QVERIFY(attack.after.front().index != attack.sourceClass);
        QCOMPARE(int(attack.lossHistory.size()), 20);
        int largest = 0;
        for (size_t i = 0; i < attack.original.pixels.size(); ++i)
            largest = std::max(
                largest, std::abs(pixelDifference(attack.adversarial, attack.original, i)));
        QVERIFY(largest <= 24);  // 8-bit pixels cannot leave [0, 255]
        QCOMPARE(float(largest), attack.linfPixels);
        // The stated predictions are the saved image's.
        Progress quiet;
        QCOMPARE(classifyImages(*branchy_, {attack.adversarial}, 1, quiet)[0][0].index,
            attack.after.front().index);
    }

    void targetedPgdReachesTheTarget()
    {
        AttackConfig config;
        config.epsilon = 32;
        config.stepSize = 4;
        config.steps = 30;
        const RgbImage image = photo(32, 32, 6);
        Progress progress;
        const int source = attackImage(*branchy_, image, config, progress).sourceClass;
        config.targetClass = (source + 2) % 3;
        const Attack attack = attackImage(*branchy_, image, config, progress);
        QVERIFY(attack.succeeded);
        QCOMPARE(attack.after.front().index, config.targetClass);
    }

    void theSmallestFlippingEpsilonIsBracketed()
    {
        AttackConfig config;
        config.steps = 10;
        config.stepSize = 2;
        config.randomStart = false;
        Progress progress;
        const EpsilonSearch search =
            smallestFlippingEpsilon(*branchy_, photo(32, 32, 5), config, 32, progress);
        QVERIFY2(search.epsilon >= 1, "no epsilon up to 32 flipped the prediction");
        QVERIFY(search.attack.succeeded);
        QVERIFY(search.attack.linfPixels <= search.epsilon);
        for (const auto& [epsilon, succeeded] : search.tried)
            if (epsilon == search.epsilon - 1)
                QVERIFY(!succeeded);
    }

    void badAttackSettingsAreRefused_data()
    {
        QTest::addColumn<float>("epsilon");
        QTest::addColumn<int>("target");
        QTest::newRow("epsilon 0") << 0.f << -1;
        QTest::newRow("negative epsilon") << -4.f << -1;
        QTest::newRow("target out of range") << 8.f << 3;
        QTest::newRow("negative target") << 8.f << -2;
    }
    void badAttackSettingsAreRefused()
    {
        QFETCH(float, epsilon);
        QFETCH(int, target);
        AttackConfig config;
        config.epsilon = epsilon;
        config.targetClass = target;
        Progress progress;
        QVERIFY_THROWS_EXCEPTION(Error, attackImage(*branchy_, photo(32, 32, 1), config, progress));
    }

    void aGreyPhotoCanBeAttacked()
    {
        RgbImage grey(32, 32);
        std::fill(grey.pixels.begin(), grey.pixels.end(), std::uint8_t(128));
        AttackConfig config;
        config.epsilon = 16;
        config.steps = 5;
        Progress progress;
        const Attack attack = attackImage(*branchy_, grey, config, progress);
        QVERIFY(attack.linfPixels <= 16.f);
    }

    void aFoolingImageReachesTheConfidence()
    {
        Progress progress;
        // The texture model can be sure (logit 10 for an all-green image); the random branchy
        // network never is, so it is used below only for the refusal.
        const auto texture = Model::load(
            test::writeTextureOnlyModel(dir_.path().toStdString()), DevicePreference::Cpu);
        const FoolingImage fooled = makeFoolingImage(*texture, 1, 0.99f, 400, 1, progress);
        QVERIFY2(fooled.probability >= 0.98f,
            qPrintable(QStringLiteral("%1 after %2 steps, last %3")
                           .arg(fooled.probability)
                           .arg(fooled.steps)
                           .arg(fooled.probabilityHistory.back())));
        QVERIFY2(fooled.steps < 400,
            qPrintable(
                QString::number(fooled.probabilityHistory.back())));  // stopped once confident
        QVERIFY_THROWS_EXCEPTION(Error, makeFoolingImage(*branchy_, 7, 0.99f, 10, 1, progress));
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> branchy_;
    std::unique_ptr<Model> linear_;
};

QTEST_GUILESS_MAIN(TestImageExperiments)
#include "test_image_experiments.moc"
