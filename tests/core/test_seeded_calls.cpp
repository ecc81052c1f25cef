// Seeded library calls draw from generators of their own: they neither change the process-wide
// generator (a caller's own torch::rand sequence) nor each other's results.
#include <torch/script.h>

#include "core/atlas.h"
#include "core/attribution.h"
#include "core/model.h"
#include "core/receptive_field.h"
#include "core/synthetic_shapes.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace loupe;

namespace {

AttributionMap attributeWith(Model& model, AttributionMethod method, std::uint64_t seed)
{
    AttributionConfig config;
    config.method = method;
    config.target = AttributionTarget::parse("class:1");
    config.samples = 4;
    config.steps = 4;
    config.baseline = AttributionConfig::Baseline::Noise;
    config.seed = seed;
    Progress progress;
    return attribute(model, test::noiseImage(32, 32, 1), config, progress);
}

std::vector<float> layoutWith(std::uint64_t seed)
{
    std::vector<float> vectors(40 * 4);
    SeededRandom rng(2);
    for (auto& v : vectors)
        v = float(rng.uniform());
    LayoutConfig config;
    config.seed = seed;
    config.epochs = 20;
    Progress progress;
    return layout2d(vectors, 40, 4, config, progress);
}

}  // namespace

class TestSeededCalls : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        model_ =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
    }

    void seededCallsLeaveTheProcessGeneratorAlone()
    {
        torch::manual_seed(7);
        const auto expected = torch::rand({16});
        torch::manual_seed(7);
        attributeWith(*model_, AttributionMethod::SmoothGrad, 3);
        attributeWith(*model_, AttributionMethod::IntegratedGradients, 4);
        estimateReceptiveField(*model_, "block");
        layoutWith(5);
        const auto after = torch::rand({16});
        QVERIFY2(
            torch::equal(expected, after), "a library call reseeded the process-wide generator");
    }

    void seededCallsDoNotChangeEachOther()
    {
        const auto first = attributeWith(*model_, AttributionMethod::SmoothGrad, 3).values;
        const auto layout = layoutWith(9);
        torch::rand({1000});  // the caller's own use of the process generator
        QCOMPARE(attributeWith(*model_, AttributionMethod::SmoothGrad, 3).values, first);
        QCOMPARE(layoutWith(9), layout);
        QVERIFY(attributeWith(*model_, AttributionMethod::SmoothGrad, 4).values !=
            first);  // the seed matters
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> model_;
};

QTEST_GUILESS_MAIN(TestSeededCalls)
#include "test_seeded_calls.moc"
