// Guided backprop and deconvnet to an intermediate unit, checked against the rules applied by
// hand: the chain conv1 -> ReLU -> conv2 -> ReLU of a small model, differentiated layer by layer
// with the rule written out at each ReLU.
#include <torch/script.h>

#include "core/attribution.h"
#include "core/error.h"
#include "core/model.h"
#include "core/synthetic_shapes.h"
#include "core/torch/tensor_image.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace loupe;

namespace {

enum class Rule { Plain, Guided, Deconvnet };

torch::Tensor parameter(torch::jit::Module& m, const char* layer, const char* name)
{
    return m.attr(layer).toModule().attr("conv").toModule().attr(name).toTensor().detach();
}

// The gradient of conv2d(x, w, padding 1) with respect to x, for an output gradient g.
torch::Tensor convBackward(const torch::Tensor& g, const torch::Tensor& w)
{
    return torch::conv_transpose2d(g, w, {}, 1, 1);
}

// The backward signal through a ReLU whose input was `pre`, under each rule.
torch::Tensor reluBackward(const torch::Tensor& g, const torch::Tensor& pre, Rule rule)
{
    switch (rule) {
    case Rule::Guided: return g * (pre > 0).to(g.dtype()) * (g > 0).to(g.dtype());
    case Rule::Deconvnet: return g.relu();
    default: return g * (pre > 0).to(g.dtype());
    }
}

// |d unit / d input| (max over colour channels) with the rule at both ReLUs; the unit is the
// mean of channel `channel` of conv2's rectified output, or its value at (x, y).
torch::Tensor handComputedMap(const std::string& path, const torch::Tensor& input, int channel,
    Rule rule, int x = -1, int y = -1)
{
    auto module = torch::jit::load(path);
    const auto w1 = parameter(module, "conv1", "weight"), b1 = parameter(module, "conv1", "bias");
    const auto w2 = parameter(module, "conv2", "weight"), b2 = parameter(module, "conv2", "bias");
    torch::NoGradGuard noGrad;
    const auto a1 = torch::conv2d(input, w1, b1, 1, 1);
    const auto a2 = torch::conv2d(a1.relu(), w2, b2, 1, 1);
    auto g = torch::zeros_like(a2);
    if (x >= 0)
        g[0][channel][y][x] = 1;
    else
        g[0][channel] = 1.0 / double(a2.size(2) * a2.size(3));
    g = reluBackward(g, a2, rule);
    g = reluBackward(convBackward(g, w2), a1, rule);
    g = convBackward(g, w1);
    return g[0].abs().amax(0);
}

torch::Tensor asTensor(const AttributionMap& map)
{
    return torch::from_blob(const_cast<float*>(map.values.data()), {map.height, map.width}).clone();
}

}  // namespace

class TestReluRules : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        path_ = test::writeFeatureExtractor(dir_.path().toStdString());
        model_ = Model::load(path_, DevicePreference::Cpu);
        image_ = test::noiseImage(model_->metadata().input.size, model_->metadata().input.size, 5);
        input_ = imageToInput(image_, model_->metadata().input);
    }

    void unitMapsFollowTheRuleAtEveryRelu_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("x");
        QTest::addColumn<int>("y");
        QTest::newRow("guided, channel mean") << "guided"
                                              << "unit:conv2:1" << -1 << -1;
        QTest::newRow("guided, one position") << "guided"
                                              << "unit:conv2:3@40,57" << 40 << 57;
        QTest::newRow("deconvnet, channel mean") << "deconvnet"
                                                 << "unit:conv2:1" << -1 << -1;
        QTest::newRow("deconvnet, one position") << "deconvnet"
                                                 << "unit:conv2:3@40,57" << 40 << 57;
    }

    void unitMapsFollowTheRuleAtEveryRelu()
    {
        QFETCH(QString, method);
        QFETCH(QString, target);
        QFETCH(int, x);
        QFETCH(int, y);
        AttributionConfig config;
        config.method = attributionMethodFromString(method.toStdString());
        config.target = AttributionTarget::parse(target.toStdString());
        Progress progress;
        const AttributionMap map = attribute(*model_, image_, config, progress);
        const Rule rule = method == QLatin1String("guided") ? Rule::Guided : Rule::Deconvnet;
        const auto expected = handComputedMap(path_, input_, config.target.index, rule, x, y);
        const auto actual = asTensor(map);
        QVERIFY(expected.max().item<float>() > 0);
        QVERIFY2(torch::allclose(actual, expected, 1e-4, 1e-6 * expected.max().item<double>()),
            qPrintable(QStringLiteral("largest difference %1 (map max %2)")
                           .arg((actual - expected).abs().max().item<double>())
                           .arg(expected.max().item<double>())));
        // The rule matters here: the plain gradient of the same unit is a different map.
        const auto plain = handComputedMap(path_, input_, config.target.index, Rule::Plain, x, y);
        QVERIFY((plain - expected).abs().max().item<float>() > 0.1f * expected.max().item<float>());
    }

    void classTargetsStillUseTheRule()
    {
        // A model whose class 0 sends only negative gradients into its ReLU: guided backprop
        // passes none of them (the class-target path now runs through the same capture plan).
        const auto model = Model::load(
            test::writeSignedReluModel(dir_.path().toStdString()), DevicePreference::Cpu);
        AttributionConfig config;
        config.method = AttributionMethod::GuidedBackprop;
        config.target = AttributionTarget::parse("class:0");
        Progress progress;
        const auto map = attribute(*model, test::noiseImage(16, 16, 2), config, progress);
        QCOMPARE(*std::max_element(map.values.begin(), map.values.end()), 0.f);
    }

    void gradCamLayerAfterTheUnitIsRefusedByName()
    {
        AttributionConfig config;
        config.method = AttributionMethod::GradCam;
        config.target = AttributionTarget::parse("unit:conv1:0");
        config.layer = "conv2";
        Progress progress;
        try {
            attribute(*model_, image_, config, progress);
            QFAIL("Grad-CAM at a layer after the unit should be refused");
        } catch (const Error& e) {
            QVERIFY2(
                QString::fromUtf8(e.what()).contains(QLatin1String("does not lead to the target")),
                e.what());
        }
    }

private:
    QTemporaryDir dir_;
    std::string path_;
    std::unique_ptr<Model> model_;
    RgbImage image_;
    torch::Tensor input_;
};

QTEST_GUILESS_MAIN(TestReluRules)
#include "test_relu_rules.moc"
