// Trust in attribution maps: faithfulness curves that rank maps by how truly they explain a
// model, the map-only measures, and Adebayo's randomisation checks.

#include "core/attribution.h"
#include "core/attribution_evidence_store.h"
#include "core/attribution_metrics.h"
#include "core/attribution_sanity.h"
#include "core/attribution_store.h"
#include "core/error.h"
#include "core/map_measures.h"
#include "core/model.h"
#include "core/synthetic_shapes.h"
#include "core/workspace.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace loupe;

namespace {

// Dark noise with a bright square where the region reader looks, and a bright bar elsewhere
// that it ignores.
RgbImage regionImage()
{
    RgbImage image = test::noiseImage(32, 32, 3);
    for (auto& p : image.pixels)
        p = std::uint8_t(p / 6);
    for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
            const bool square = x >= test::kRegionReaderX &&
                x < test::kRegionReaderX + test::kRegionReaderSize && y >= test::kRegionReaderY &&
                y < test::kRegionReaderY + test::kRegionReaderSize;
            const bool bar = x >= 24 && x < 28 && y >= 4 && y < 28;
            if (square || bar)
                std::fill(image.pixel(x, y), image.pixel(x, y) + 3, std::uint8_t(250));
        }
    return image;
}

AttributionMap mapOf(int size, const std::function<float(int x, int y)>& value)
{
    AttributionMap map;
    map.width = map.height = size;
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            map.values.push_back(value(x, y));
    return map;
}

// 1 on the square the model reads (a little noise breaks ties), 0 elsewhere.
AttributionMap faithfulMap()
{
    SeededRandom rng(9);
    return mapOf(32, [&](int x, int y) {
        const bool inside = x >= test::kRegionReaderX &&
            x < test::kRegionReaderX + test::kRegionReaderSize && y >= test::kRegionReaderY &&
            y < test::kRegionReaderY + test::kRegionReaderSize;
        return (inside ? 1.f : 0.f) + 0.01f * float(rng.uniform());
    });
}

AttributionMap randomMap()
{
    SeededRandom rng(21);
    return mapOf(32, [&](int, int) { return float(rng.uniform()); });
}

AttributionMap reversed(AttributionMap map)
{
    for (float& v : map.values)
        v = -v;
    return map;
}

AttributionMetrics measure(Model& model, const AttributionMap& map, ImputationFill fill)
{
    FaithfulnessConfig config;
    config.fill = fill;
    Progress progress;
    return measureFaithfulness(model, regionImage(), map, AttributionMethod::Saliency,
        AttributionTarget::parse("class:0"), config, progress);
}

}  // namespace

class TestAttributionTrust : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        region_ =
            Model::load(test::writeRegionReader(dir_.path().toStdString()), DevicePreference::Cpu);
        branchy_ =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
    }

    // Removing the truly used pixels first kills the class at once; inserting them first
    // restores it at once. A random order is in between, the reversed order worst — with each
    // fill, ROAD's imputation included.
    void deletionAndInsertionRankTheFaithfulMapFirst_data()
    {
        QTest::addColumn<int>("fill");
        QTest::newRow("blur") << int(ImputationFill::Blur);
        QTest::newRow("mean") << int(ImputationFill::Mean);
        QTest::newRow("road") << int(ImputationFill::NoisyLinear);
    }
    void deletionAndInsertionRankTheFaithfulMapFirst()
    {
        QFETCH(int, fill);
        const auto f = ImputationFill(fill);
        const auto good = measure(*region_, faithfulMap(), f);
        const auto random = measure(*region_, randomMap(), f);
        const auto worst = measure(*region_, reversed(faithfulMap()), f);
        const QString numbers = QString("deletion %1 %2 %3, insertion %4 %5 %6")
                                    .arg(good.deletion.auc)
                                    .arg(random.deletion.auc)
                                    .arg(worst.deletion.auc)
                                    .arg(good.insertion.auc)
                                    .arg(random.insertion.auc)
                                    .arg(worst.insertion.auc);
        QVERIFY2(good.deletion.auc < random.deletion.auc - 0.1f, qPrintable(numbers));
        // ROAD imputes scattered removed pixels from their kept neighbours, so a random order
        // removes little information (its point): random is close to the worst there.
        const float margin = f == ImputationFill::NoisyLinear ? 0.f : 0.1f;
        QVERIFY2(random.deletion.auc < worst.deletion.auc - margin, qPrintable(numbers));
        QVERIFY2(good.insertion.auc > random.insertion.auc + 0.1f, qPrintable(numbers));
        QVERIFY2(random.insertion.auc > worst.insertion.auc + 0.1f, qPrintable(numbers));
        QCOMPARE(good.quantity, std::string("probability"));
        QCOMPARE(int(good.deletion.scores.size()), 17);
        // The curve starts at the intact image's probability and ends at the all-filled one.
        QVERIFY(good.deletion.scores.front() > 0.9f);
        QVERIFY(good.deletion.scores.back() < 0.1f);
        QVERIFY(std::abs(good.insertion.scores.back() - good.deletion.scores.front()) < 1e-4f);
    }

    void muFidelityFollowsTheModel()
    {
        Progress progress;
        MuFidelityConfig config;
        const auto target = AttributionTarget::parse("class:0");
        const float good =
            muFidelity(*region_, regionImage(), faithfulMap(), target, config, progress);
        const float random =
            muFidelity(*region_, regionImage(), randomMap(), target, config, progress);
        const float negative =
            muFidelity(*region_, regionImage(), reversed(faithfulMap()), target, config, progress);
        QVERIFY2(good > 0.6f, qPrintable(QString::number(good)));
        QVERIFY2(std::abs(random) < 0.35f, qPrintable(QString::number(random)));
        QVERIFY2(negative < -0.6f, qPrintable(QString::number(negative)));
    }

    void mapMeasures()
    {
        const auto onePixel = mapOf(32, [](int x, int y) { return x == 3 && y == 4 ? 2.f : 0.f; });
        const auto flat = mapOf(32, [](int, int) { return 0.5f; });
        QVERIFY(giniIndex(onePixel.values) > 0.99f);
        QVERIFY(std::abs(giniIndex(flat.values)) < 1e-6f);
        QVERIFY(normalisedEntropy(onePixel.values) < 1e-6f);
        QVERIFY(std::abs(normalisedEntropy(flat.values) - 1) < 1e-5f);

        // Localisation: the map's mass and peak against a box.
        const auto inBox = localise(onePixel, boxMask(32, 32, 0, 0, 8, 8));
        QCOMPARE(inBox.energyInside, 1.f);
        QVERIFY(inBox.pointingHit);
        const auto farBox = localise(onePixel, boxMask(32, 32, 24, 24, 32, 32), 5);
        QCOMPARE(farBox.energyInside, 0.f);
        QVERIFY(!farBox.pointingHit);
        QVERIFY_THROWS_EXCEPTION(Error, localise(onePixel, boxMask(32, 32, 40, 40, 50, 50)));

        // Similarity: a map against itself, its negative (same magnitudes), noise, a constant.
        const auto a = faithfulMap(), noise = randomMap();
        const auto same = compareMaps(a, a);
        QVERIFY(same.spearman > 0.999f && same.ssim > 0.999f && same.topOverlap == 1.f);
        QVERIFY(compareMaps(a, reversed(a)).spearman > 0.999f);
        const auto unrelated = compareMaps(a, noise);
        QVERIFY2(
            std::abs(unrelated.spearman) < 0.2f, qPrintable(QString::number(unrelated.spearman)));
        QVERIFY(unrelated.topOverlap < 0.3f);
        QCOMPARE(compareMaps(flat, flat).spearman, 1.f);
        QCOMPARE(compareMaps(flat, a).spearman, 0.f);
    }

    // Integrated gradients on a linear model are exact: the map sums to f(x) - f(baseline).
    void completenessGapOfIntegratedGradients()
    {
        const auto linear =
            Model::load(test::writeLinearModel(dir_.path().toStdString()), DevicePreference::Cpu);
        AttributionConfig config;
        config.method = AttributionMethod::IntegratedGradients;
        config.target = AttributionTarget::parse("class:1");
        config.steps = 8;
        Progress progress;
        const auto map = attribute(*linear, test::noiseImage(8, 8, 2), config, progress);
        const auto gap = relativeCompletenessGap(map, config.method);
        QVERIFY(gap.has_value());
        QVERIFY2(*gap < 1e-3f, qPrintable(QString::number(*gap)));
        QVERIFY(!relativeCompletenessGap(map, AttributionMethod::Saliency).has_value());
        const auto metrics = measureFaithfulness(*linear, test::noiseImage(8, 8, 2), map,
            config.method, config.target, FaithfulnessConfig(), progress);
        QVERIFY(metrics.hasCompleteness);
    }

    // Gradients of a randomised network are other gradients; a constant "explanation" never
    // changes and is flagged. The open model is not touched by any of it.
    void cascadingRandomisationDecorrelatesGradientsAndFlagsConstantMaps()
    {
        const std::string before = branchy_->weightsDigest();
        const auto blocks = randomisationBlocks(*branchy_);
        QCOMPARE(QString::fromStdString(blocks.front()), QString("head"));
        QCOMPARE(QString::fromStdString(blocks.back()), QString("conv1"));

        AttributionConfig config;
        config.method = AttributionMethod::Saliency;
        config.target = AttributionTarget::parse("class:1");
        SanityConfig sanity;
        Progress progress;
        const auto report = checkAttributionSanity(
            *branchy_, test::noiseImage(32, 32, 4), config, sanity, progress);
        QCOMPARE(report.cascade.size(), blocks.size());
        const float last = report.cascade.back().similarity.spearman;
        qInfo() << "saliency after randomising every block: Spearman" << last;
        QVERIFY2(last < 0.3f, qPrintable(QString::number(last)));
        QVERIFY(!report.flagged);
        QVERIFY(report.hasRandomTarget);
        QVERIFY(report.randomTarget.index != 1);

        const auto constant = cascadingRandomisation(
            *branchy_, [](Model&, Progress&) { return mapOf(32, [](int, int) { return 1.f; }); },
            sanity, progress);
        QVERIFY(constant.flagged);
        QVERIFY(!constant.warning.empty());
        QCOMPARE(constant.cascade.back().similarity.spearman, 1.f);

        QCOMPARE(branchy_->weightsDigest(), before);
        QDir().mkpath(dir_.filePath("other"));
        const auto other =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString() + "/other", true, 2),
                DevicePreference::Cpu);
        QVERIFY(other->weightsDigest() != before);  // the digest does see weights
    }

    void evidenceOfACachedMapIsReadBack()
    {
        auto ws = Workspace::open(dir_.filePath("cache.sqlite").toStdString(), region_->hash());
        AttributionConfig config;
        config.method = AttributionMethod::InputTimesGradient;
        config.target = AttributionTarget::parse("class:0");
        Progress progress;
        const RgbImage image = regionImage();
        const auto map = cachedAttribution(*region_, ws.get(), image, config, progress);
        bool fromCache = true;
        const auto first =
            cachedFaithfulness(*region_, ws.get(), image, config, map, {}, progress, &fromCache);
        QVERIFY(!fromCache);
        const auto again =
            cachedFaithfulness(*region_, ws.get(), image, config, map, {}, progress, &fromCache);
        QVERIFY(fromCache);
        QCOMPARE(again.deletion.scores, first.deletion.scores);
        QCOMPARE(again.insertion.auc, first.insertion.auc);
        FaithfulnessConfig other;
        other.fill = ImputationFill::Mean;
        cachedFaithfulness(*region_, ws.get(), image, config, map, other, progress, &fromCache);
        QVERIFY(!fromCache);  // other settings are other metrics

        const auto heavy =
            cachedHeavyMetrics(*region_, ws.get(), image, config, map, progress, &fromCache);
        QVERIFY(!fromCache);
        const auto heavyAgain =
            cachedHeavyMetrics(*region_, ws.get(), image, config, map, progress, &fromCache);
        QVERIFY(fromCache);
        QCOMPARE(heavyAgain.muFidelity, heavy.muFidelity);
        QCOMPARE(heavyAgain.roadDeletion.scores, heavy.roadDeletion.scores);
    }

    void sanityReportRoundTripsAndRejectsDamage()
    {
        SanityReport report;
        report.cascade = {{"fc", {0.5f, 0.6f, 0.7f}}, {"conv1", {0.1f, 0.2f, 0.3f}}};
        report.hasRandomTarget = true;
        report.randomTarget = AttributionTarget::parse("class:7");
        report.randomTargetSimilarity = {0.2f, 0.3f, 0.4f};
        report.flagged = true;
        report.warning = "alike";
        const std::string bytes = serializeSanityReport(report);
        const auto back = deserializeSanityReport(bytes);
        QCOMPARE(back.cascade.size(), size_t(2));
        QCOMPARE(back.cascade[1].block, std::string("conv1"));
        QCOMPARE(back.cascade[1].similarity.ssim, 0.2f);
        QCOMPARE(back.randomTarget.index, 7);
        QVERIFY(back.flagged);
        QVERIFY_THROWS_EXCEPTION(Error, deserializeSanityReport(bytes.substr(0, bytes.size() - 3)));
    }

    void mapsOfAnotherSizeAreRefused()
    {
        Progress progress;
        const auto small = mapOf(16, [](int, int) { return 1.f; });
        QVERIFY_THROWS_EXCEPTION(Error,
            measureFaithfulness(*region_, regionImage(), small, AttributionMethod::Saliency,
                AttributionTarget::parse("class:0"), FaithfulnessConfig(), progress));
        QVERIFY_THROWS_EXCEPTION(Error, compareMaps(small, faithfulMap()));
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> region_, branchy_;
};

QTEST_GUILESS_MAIN(TestAttributionTrust)
#include "test_attribution_trust.moc"
