#include "core/attribution.h"
#include "core/attribution_store.h"
#include "core/workspace.h"
#include "core/occlusion.h"
#include "core/activations.h"
#include "core/circuit.h"
#include "core/error.h"
#include "core/model.h"
#include "core/synthetic_shapes.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <set>

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

int argmaxColumn(const AttributionMap& m)
{
    const auto it = std::max_element(m.values.begin(), m.values.end());
    return int((it - m.values.begin()) % m.width);
}

AttributionMap run(Model& model, const RgbImage& image, AttributionConfig config)
{
    Progress progress;
    return attribute(model, image, config, progress);
}

}  // namespace

class TestAttribution : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        linear_ =
            Model::load(test::writeLinearModel(dir_.path().toStdString()), DevicePreference::Cpu);
        bars_ = Model::load(
            test::writeBarDetector(dir_.path().toStdString(), true), DevicePreference::Cpu);
        branchy_ =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
    }

    // A ReLU network with max-pooling is positively homogeneous in (input, biases): the raw
    // input-gradient and bias-gradient terms add up to the output (FullGrad's completeness).
    void fullGradIsCompleteAndPeaksOnTheBar()
    {
        AttributionConfig config;
        config.method = AttributionMethod::FullGrad;
        config.target = AttributionTarget::parse("class:2");
        const auto map = run(*branchy_, test::noiseImage(32, 32, 5), config);
        QCOMPARE(map.width, 32);
        QVERIFY(map.biasLayers >= 3);  // conv1.conv and the block's two branch convolutions
        QVERIFY2(std::abs(map.explainedValue - map.targetValue) <=
                1e-3f * std::max(1.f, std::abs(map.targetValue)),
            qPrintable(QString("%1 vs %2").arg(map.explainedValue).arg(map.targetValue)));
        QVERIFY(std::abs(map.targetValue) > 1e-3f);

        config.target = AttributionTarget::parse("unit:conv1:0@20,16");
        const auto bar = run(*bars_, barImage(20), config);
        QVERIFY2(
            std::abs(argmaxColumn(bar) - 20) <= 2, qPrintable(QString::number(argmaxColumn(bar))));
    }

    void saliencyOfALinearModelIsItsWeights()
    {
        AttributionConfig config;
        config.method = AttributionMethod::Saliency;
        config.target = AttributionTarget::parse("class:1");
        const auto map = run(*linear_, test::noiseImage(8, 8, 1), config);
        QCOMPARE(map.width, 8);
        for (int p = 0; p < 64; ++p) {
            float expected = 0;
            for (int c = 0; c < 3; ++c)
                expected = std::max(expected, std::abs(test::linearModelWeight(1, c * 64 + p)));
            QVERIFY(std::abs(map.values[size_t(p)] - expected) < 1e-5f);
        }
    }

    void integratedGradientsAreComplete()
    {
        AttributionConfig config;
        config.method = AttributionMethod::IntegratedGradients;
        config.target = AttributionTarget::parse("class:0");
        config.steps = 64;
        config.batch = 10;  // internal batching must not change the result
        const auto map = run(*linear_, test::noiseImage(8, 8, 2), config);
        const float sum = std::accumulate(map.values.begin(), map.values.end(), 0.f);
        const float expected = map.targetValue - map.baselineValue;
        QVERIFY2(std::abs(sum - expected) <= 0.01f * std::abs(expected),
            qPrintable(QString("%1 vs %2").arg(sum).arg(expected)));
        QVERIFY(map.isSigned);
    }

    void gradCamHighlightsTheDecisiveChannelsRegion()
    {
        for (const char* method : {"gradcam", "gradcampp"}) {
            AttributionConfig config;
            config.method = attributionMethodFromString(method);
            config.target = AttributionTarget::parse("class:0");  // = mean of the bar detector
            config.layer = "conv1";
            const auto map = run(*bars_, barImage(20), config);
            QVERIFY2(std::abs(argmaxColumn(map) - 20) <= 1,
                qPrintable(QString("%1: %2").arg(method).arg(argmaxColumn(map))));
        }
    }

    void gradientMethodsPeakOnTheBar()
    {
        for (const char* method : {"saliency", "inputxgrad", "smoothgrad", "ig"}) {
            AttributionConfig config;
            config.method = attributionMethodFromString(method);
            config.target = AttributionTarget::parse("unit:conv1:0@20,16");
            config.samples = 8;
            config.steps = 16;
            const auto map = run(*bars_, barImage(20), config);
            QCOMPARE(map.width, 32);
            QVERIFY(*std::max_element(map.values.begin(), map.values.end()) > 0);
            // The neuron at (20, 16) sees only its 5x5 neighbourhood.
            QVERIFY2(std::abs(argmaxColumn(map) - 20) <= 2, method);
        }
    }

    void occlusionPeaksAtThePlantedPatchAndBatchingChangesNothing()
    {
        AttributionConfig config;
        config.method = AttributionMethod::Occlusion;
        config.target = AttributionTarget::parse("class:0");
        config.patch = 6;
        config.stride = 2;
        config.fill = AttributionConfig::Fill::Black;
        config.batch = 1;
        const auto one = run(*bars_, barImage(20), config);
        config.batch = 16;
        int partials = 0;
        Progress progress;
        const auto batched = attribute(
            *bars_, barImage(20), config, progress, [&](const AttributionMap&) { ++partials; });
        QVERIFY(partials > 1);  // the map filled in progressively
        QCOMPARE(one.values.size(), batched.values.size());
        for (size_t i = 0; i < one.values.size(); ++i)
            QVERIFY(std::abs(one.values[i] - batched.values[i]) < 1e-5f);
        QVERIFY2(std::abs(argmaxColumn(batched) - 20) <= 3,
            qPrintable(QString::number(argmaxColumn(batched))));
    }

    // Each cell of the top-1 class map is the model's prediction for that occluded image,
    // computed here one image at a time through the ordinary path.
    void topClassMapMatchesOneImageAtATime()
    {
        // A bright bar (class 0's feature) and a dark bar (class 1's) on grey.
        RgbImage image(32, 32);
        std::fill(image.pixels.begin(), image.pixels.end(), 128);
        for (int y = 6; y < 26; ++y) {
            std::fill(image.pixel(20, y), image.pixel(20, y) + 3, 255);
            std::fill(image.pixel(7, y), image.pixel(7, y) + 3, 0);
        }
        AttributionConfig config;
        config.patch = 8;
        config.stride = 8;
        config.fill = AttributionConfig::Fill::Black;
        config.batch = 3;
        Progress progress;
        int partials = 0;
        const OcclusionClassMap map = occlusionTopClasses(
            *bars_, image, config, progress, [&](const OcclusionClassMap&) { ++partials; });
        QCOMPARE(map.columns, 4);
        QCOMPARE(map.rows, 4);
        QCOMPARE(partials, 6);  // 16 cells in batches of 3
        QCOMPARE(map.unoccludedClass,
            computeActivations(*bars_, image, "conv1", false, 1).predictions.at(0).index);
        std::set<int> seen;
        for (int row = 0; row < map.rows; ++row)
            for (int column = 0; column < map.columns; ++column) {
                RgbImage occluded = image;
                for (int y = row * 8; y < row * 8 + 8; ++y)
                    std::fill(occluded.pixel(column * 8, y), occluded.pixel(column * 8 + 8, y), 0);
                const auto expected =
                    computeActivations(*bars_, occluded, "conv1", false, 1).predictions.at(0);
                const size_t cell = size_t(row * map.columns + column);
                QCOMPARE(map.classes[cell], expected.index);
                QVERIFY(std::abs(map.probabilities[cell] - expected.probability) < 1e-4f);
                seen.insert(map.classes[cell]);
            }
        QCOMPARE(int(map.legend().size()), int(seen.size()));
        config.patch = 40;
        QVERIFY_THROWS_EXCEPTION(Error, occlusionTopClasses(*bars_, image, config, progress));
    }

    // Maps are read back from the workspace for the same pixels and parameters only.
    void mapsAreCachedPerImageAndParameters()
    {
        auto ws = Workspace::open(dir_.filePath("cache.sqlite").toStdString(), bars_->hash());
        AttributionConfig config;
        config.method = AttributionMethod::IntegratedGradients;
        config.target = AttributionTarget::parse("class:0");
        config.steps = 8;
        Progress progress;
        bool fromCache = true;
        const auto computed =
            cachedAttribution(*bars_, ws.get(), barImage(20), config, progress, {}, &fromCache);
        QVERIFY(!fromCache);
        const auto again =
            cachedAttribution(*bars_, ws.get(), barImage(20), config, progress, {}, &fromCache);
        QVERIFY(fromCache);
        QCOMPARE(again.values, computed.values);
        QCOMPARE(again.baselineValue, computed.baselineValue);
        QCOMPARE(again.isSigned, computed.isSigned);
        QVERIFY(again.inputView.pixels == computed.inputView.pixels);
        cachedAttribution(
            *bars_, ws.get(), barImage(12), config, progress, {}, &fromCache);  // other pixels
        QVERIFY(!fromCache);
        config.steps = 16;  // another parameter
        cachedAttribution(*bars_, ws.get(), barImage(20), config, progress, {}, &fromCache);
        QVERIFY(!fromCache);

        config.method = AttributionMethod::Occlusion;
        config.patch = 8;
        config.stride = 8;
        const auto classes = cachedOcclusionTopClasses(
            *bars_, ws.get(), barImage(20), config, progress, {}, &fromCache);
        QVERIFY(!fromCache);
        const auto classesAgain = cachedOcclusionTopClasses(
            *bars_, ws.get(), barImage(20), config, progress, {}, &fromCache);
        QVERIFY(fromCache);
        QCOMPARE(classesAgain.classes, classes.classes);
        QCOMPARE(classesAgain.probabilities, classes.probabilities);
        QCOMPARE(classesAgain.unoccludedClass, classes.unoccludedClass);
        QVERIFY_THROWS_EXCEPTION(
            Error, deserializeAttributionMap(serializeOcclusionClassMap(classes)));
    }

    void guidedBackpropNeverPassesANegativeGradientThroughAReLU()
    {
        const auto model = Model::load(
            test::writeSignedReluModel(dir_.path().toStdString()), DevicePreference::Cpu);
        const RgbImage image = test::noiseImage(16, 16, 5);
        AttributionConfig config;
        config.target =
            AttributionTarget::parse("class:0");  // -sum(relu(...)): only negative gradients
        config.method = AttributionMethod::Saliency;
        const auto vanilla = run(*model, image, config);
        QVERIFY(*std::max_element(vanilla.values.begin(), vanilla.values.end()) > 0);
        config.method = AttributionMethod::GuidedBackprop;
        const auto guided = run(*model, image, config);
        QCOMPARE(*std::max_element(guided.values.begin(), guided.values.end()), 0.f);
        config.method = AttributionMethod::Deconvnet;
        const auto deconv = run(*model, image, config);
        QCOMPARE(*std::max_element(deconv.values.begin(), deconv.values.end()), 0.f);
        // For class 1 the gradient into the ReLU is positive: guided equals vanilla there.
        config.target = AttributionTarget::parse("class:1");
        config.method = AttributionMethod::Saliency;
        const auto positive = run(*model, image, config);
        config.method = AttributionMethod::GuidedBackprop;
        const auto guidedPositive = run(*model, image, config);
        for (size_t i = 0; i < positive.values.size(); ++i)
            QVERIFY(std::abs(positive.values[i] - guidedPositive.values[i]) < 1e-5f);
        QCOMPARE(guidedPositive.targetValue, positive.targetValue);  // forward unchanged
    }

    void circuitTermsAddUpToTheConvOutput()
    {
        const auto branchy =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
        const RgbImage image = test::noiseImage(32, 32, 9);
        for (const char* layer : {"block.b2.conv", "block.b2", "conv1"}) {
            const CircuitResult r = circuitContributions(*branchy, image, layer, 1, 5, 7, 16);
            float sum = r.bias;
            for (const auto& c : r.contributions)
                sum += c.contribution;
            QVERIFY2(std::abs(sum - r.check) < 1e-4f * std::max(1.f, std::abs(r.check)), layer);
            QCOMPARE(r.stride, 1);
            for (size_t i = 1; i < r.contributions.size(); ++i)
                QVERIFY(std::abs(r.contributions[i].contribution) <=
                    std::abs(r.contributions[i - 1].contribution));
            // The map at the unit's position is the unit's own term.
            const auto& top = r.contributions.front();
            QVERIFY(std::abs(top.map.at(5, 7) - top.contribution) < 1e-4f);
        }
        QVERIFY_THROWS_EXCEPTION(
            Error, circuitContributions(*branchy, image, "block", 0, 1, 1));  // two convolutions
        QVERIFY_THROWS_EXCEPTION(
            Error, circuitContributions(*branchy, image, "block.b2.conv", 9, 1, 1));

        // Across one linear convolution, gradient x activation is the exact split again.
        const CircuitResult exact = circuitContributions(*branchy, image, "block.b2", 1, 5, 7, 4);
        const CircuitResult estimate =
            circuitByGradient(*branchy, image, "block.b2", 1, 5, 7, "conv1", 4);
        QVERIFY(!estimate.exact && estimate.inputLayer == "conv1");
        QCOMPARE(estimate.contributions.size(), exact.contributions.size());
        for (size_t i = 0; i < exact.contributions.size(); ++i) {
            QCOMPARE(estimate.contributions[i].inputChannel, exact.contributions[i].inputChannel);
            QVERIFY(std::abs(estimate.contributions[i].contribution -
                        exact.contributions[i].contribution) < 1e-4f);
        }
        // Further back it still names the channels of an earlier layer.
        QCOMPARE(circuitByGradient(*branchy, image, "block", 6, 5, 7, "conv1.conv", 2)
                     .contributions.size(),
            size_t(2));
        QVERIFY_THROWS_EXCEPTION(Error,
            circuitByGradient(*branchy, image, "conv1", 0, 1, 1, "block", 2));  // block comes after
    }

    void badInputIsExplained()
    {
        AttributionConfig config;
        config.method = AttributionMethod::GradCam;
        config.target = AttributionTarget::parse("class:0");
        config.layer = "head";
        QVERIFY_THROWS_EXCEPTION(Error, run(*bars_, barImage(3), config));
        config.layer = "conv1";
        config.target = AttributionTarget::parse("class:7");
        QVERIFY_THROWS_EXCEPTION(Error, run(*bars_, barImage(3), config));
        config.method = AttributionMethod::Occlusion;
        config.target = AttributionTarget::parse("class:0");
        config.patch = 64;
        try {
            run(*bars_, barImage(3), config);
            QFAIL("a patch larger than the input must be refused");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("patch"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, AttributionTarget::parse("pixel:3"));
        QVERIFY_THROWS_EXCEPTION(Error, attributionMethodFromString("magic"));
        // A unit position outside the layer is refused, not clamped to its edge.
        config.method = AttributionMethod::Saliency;
        config.target = AttributionTarget::parse("unit:conv1:0@99,3");
        try {
            run(*bars_, barImage(3), config);
            QFAIL("a position outside the layer must be refused");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("outside"), e.what());
        }
        config.target =
            AttributionTarget::parse("unit:conv1:0@31,31");  // the last position is fine
        QVERIFY(run(*bars_, barImage(3), config).width > 0);
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> linear_;
    std::unique_ptr<Model> bars_;
    std::unique_ptr<Model> branchy_;
};

QTEST_GUILESS_MAIN(TestAttribution)
#include "test_attribution.moc"
