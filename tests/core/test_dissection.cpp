// Network dissection, LIME and decision explanations on models whose answers are known by
// construction: a red detector is "red", a stripe-energy channel is "stripes", IoU equals a
// pixel-by-pixel count, LIME finds the one region a model reads, and channel contributions add
// up to the logit minus the bias where the path is linear.
#include "core/activations.h"
#include "core/attribution.h"
#include "core/colour_names.h"
#include "core/concept_masks.h"
#include "core/dataset_scan.h"
#include "core/decision.h"
#include "core/dissection.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/input_geometry.h"
#include "core/lime.h"
#include "core/model.h"
#include "core/superpixels.h"
#include "core/synthetic_shapes.h"
#include "core/workspace.h"
#include "tests/support/test_models.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <set>

using namespace loupe;

namespace {

int conceptIndex(const DissectionResult& r, const std::string& name)
{
    for (size_t i = 0; i < r.concepts.size(); ++i)
        if (r.concepts[i].name == name)
            return int(i);
    return -1;
}

// Quadrants of colours that are not red, with noise, and one 15 x 15 red square: red is about
// 0.45 % of the pixels, just inside the paper's top-0.5 % region.
RgbImage colourPhoto(std::uint64_t seed)
{
    static const std::uint8_t palette[6][3] = {{30, 60, 210}, {40, 170, 50}, {245, 245, 245},
        {128, 128, 128}, {240, 220, 40}, {15, 15, 15}};
    SeededRandom random(seed);
    RgbImage image(224, 224);
    int colours[4];
    for (int& c : colours)
        c = random.integer(0, 5);
    for (int y = 0; y < 224; ++y)
        for (int x = 0; x < 224; ++x) {
            const auto* c = palette[colours[(y / 112) * 2 + x / 112]];
            for (int k = 0; k < 3; ++k)
                image.pixel(x, y)[k] =
                    std::uint8_t(std::clamp(int(c[k]) + random.integer(-10, 10), 0, 255));
        }
    const int x0 = random.integer(0, 224 - 15), y0 = random.integer(0, 224 - 15);
    for (int y = y0; y < y0 + 15; ++y)
        for (int x = x0; x < x0 + 15; ++x) {
            auto* p = image.pixel(x, y);
            p[0] = std::uint8_t(random.integer(245, 255));
            p[1] = std::uint8_t(random.integer(0, 10));
            p[2] = std::uint8_t(random.integer(0, 10));
        }
    return image;
}

}  // namespace

class TestDissection : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        model_ = Model::load(
            test::writeColourAndStripeDetector(dir_.path().toStdString()), DevicePreference::Cpu);
        colourFolder_ = dir_.filePath("colours").toStdString();
        QDir().mkpath(QString::fromStdString(colourFolder_));
        for (int i = 0; i < 30; ++i)
            saveImage(colourPhoto(std::uint64_t(i + 1)),
                colourFolder_ + "/photo" + std::to_string(i) + ".png");
        syntheticFolder_ = dir_.filePath("synthetic").toStdString();
        Progress quiet;
        writeSyntheticConceptSet(syntheticFolder_, 36, 224, 1, quiet);
    }

    void colourTermsNameTheirColours()
    {
        const auto& names = basicColourNames();
        const auto name = [&](int r, int g, int b) {
            return names[size_t(colourNameOf(std::uint8_t(r), std::uint8_t(g), std::uint8_t(b)))];
        };
        QCOMPARE(names.size(), size_t(11));
        QCOMPARE(name(255, 0, 0), std::string("red"));
        QCOMPARE(name(0, 0, 255), std::string("blue"));
        QCOMPARE(name(0, 200, 0), std::string("green"));
        QCOMPARE(name(255, 255, 0), std::string("yellow"));
        QCOMPARE(name(255, 255, 255), std::string("white"));
        QCOMPARE(name(0, 0, 0), std::string("black"));
        QCOMPARE(name(128, 128, 128), std::string("grey"));
        QCOMPARE(name(255, 140, 0), std::string("orange"));
        QCOMPARE(name(130, 80, 40), std::string("brown"));
    }

    void superpixelsFollowColourEdges()
    {
        // Sixteen 16 px blocks of distinct colours: no superpixel may straddle two blocks.
        RgbImage image(64, 64);
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x) {
                const int block = (y / 16) * 4 + x / 16;
                auto* p = image.pixel(x, y);
                p[0] = std::uint8_t((block * 97) % 256);
                p[1] = std::uint8_t((block * 53 + 80) % 256);
                p[2] = std::uint8_t((block * 29 + 160) % 256);
            }
        const Superpixels s = slicSuperpixels(image, 16);
        QVERIFY(s.count >= 8 && s.count <= 32);
        std::vector<std::set<int>> blocksOf(size_t(s.count));
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x) {
                const int label = s.labels[size_t(y * 64 + x)];
                QVERIFY(label >= 0 && label < s.count);
                blocksOf[size_t(label)].insert((y / 16) * 4 + x / 16);
            }
        for (const auto& blocks : blocksOf)
            QCOMPARE(blocks.size(), size_t(1));
        QVERIFY_THROWS_EXCEPTION(Error, slicSuperpixels(RgbImage(), 10));
    }

    void aRedDetectorIsRed()
    {
        DissectionConfig config;
        config.folder = colourFolder_;
        config.layer = "features";
        Progress quiet;
        const DissectionResult r = dissectLayer(*model_, nullptr, config, quiet);
        QCOMPARE(int(r.images.size()), 30);
        QVERIFY(!r.thresholdsFromScan);
        const int red = conceptIndex(r, "red");
        QCOMPARE(r.units[0].concept, red);
        QVERIFY2(r.units[0].iou > 0.5f, qPrintable(QString::number(r.units[0].iou)));
        QVERIFY(r.isDetector(r.units[0]));
        const auto categories = r.detectorsPerCategory();
        QCOMPARE(categories.size(), size_t(1));
        QCOMPARE(categories[0].category, std::string("colour"));
        QVERIFY(categories[0].uniqueConcepts >= 1);
        // Its example images outline the red square.
        ConceptSources sources;
        const auto examples = dissectionExamples(*model_, r, sources, 0, red);
        QVERIFY(!examples.empty());
        QVERIFY(examples[0].iou > 0.5);
    }

    void aStripeDetectorFindsStripes()
    {
        DissectionConfig config;
        config.folder = syntheticFolder_ + "/images";
        config.layer = "features";
        config.sources.colours = false;
        config.sources.labelFolder = syntheticFolder_ + "/labels";
        config.sources.labelCsv = syntheticFolder_ + "/concepts.csv";
        Progress quiet;
        const DissectionResult r = dissectLayer(*model_, nullptr, config, quiet);
        QCOMPARE(r.concepts.size(), syntheticConcepts().size());
        const auto& stripes = r.units[1];
        QVERIFY2(stripes.concept == conceptIndex(r, "stripes"),
            qPrintable(QString::fromStdString(
                stripes.concept >= 0 ? r.concepts[size_t(stripes.concept)].name : "none")));
        QVERIFY(stripes.iou > stripes.runnerUpIoU);
    }

    void theSyntheticSetIsDeterministicAndLabelled()
    {
        const auto a = renderSyntheticConceptImage(7, 96, 3),
                   b = renderSyntheticConceptImage(7, 96, 3);
        QVERIFY(a.image.pixels == b.image.pixels);
        QVERIFY(a.labels == b.labels);
        std::set<int> present(a.labels.begin(), a.labels.end());
        QVERIFY(present.count(int(7 % 3) + 1));  // its texture
        QVERIFY(present.count(3 + (7 / 3) % 3 + 1));  // its shape
    }

    void iouEqualsAPixelCount()
    {
        // Colour and synthetic labels together, at the layer's own resolution so that the count
        // below needs no interpolation.
        DissectionConfig config;
        config.folder = syntheticFolder_ + "/images";
        config.layer = "features";
        config.sources.colours = true;
        config.sources.labelFolder = syntheticFolder_ + "/labels";
        config.sources.labelCsv = syntheticFolder_ + "/concepts.csv";
        config.maskSize = 224;
        config.maxImages = 5;
        Progress quiet;
        const DissectionResult r = dissectLayer(*model_, nullptr, config, quiet);
        QCOMPARE(int(r.images.size()), 5);
        const ConceptCatalogue catalogue = makeConceptCatalogue(config.sources);
        const size_t concepts = catalogue.concepts.size();
        std::vector<double> inter(2 * concepts, 0), unitArea(2 * 2, 0), conceptArea(concepts, 0);
        for (const auto& file : r.images) {
            const RgbImage view = resizeAndCenterCrop(loadImage(config.folder + "/" + file), 224);
            const auto act = computeActivations(*model_, view, "features", true, 0);
            const ConceptMasks masks =
                conceptMasksFor(catalogue, config.sources, view, 224, file, 224);
            for (size_t plane = 0; plane < 2; ++plane) {
                if (masks.planes[plane].empty())
                    continue;
                for (int unit = 0; unit < 2; ++unit)
                    for (size_t p = 0; p < masks.planes[plane].size(); ++p) {
                        const bool on = act.values[size_t(unit) * 224 * 224 + p] >
                            r.units[size_t(unit)].threshold;
                        const int label = masks.planes[plane][p];
                        unitArea[size_t(unit) * 2 + plane] += on;
                        if (on && label > 0)
                            inter[size_t(unit) * concepts + size_t(label - 1)] += 1;
                        if (unit == 0 && label > 0)
                            conceptArea[size_t(label - 1)] += 1;
                    }
            }
        }
        int compared = 0;
        for (int unit = 0; unit < 2; ++unit)
            for (size_t c = 0; c < concepts; ++c) {
                const double in = inter[size_t(unit) * concepts + c];
                const double uni =
                    unitArea[size_t(unit) * 2 + size_t(catalogue.plane[c])] + conceptArea[c] - in;
                const double expected = uni > 0 ? in / uni : 0;
                QVERIFY2(std::abs(r.iouOf(unit, int(c)) - expected) < 1e-6,
                    qPrintable(QStringLiteral("unit %1 concept %2: %3 vs %4")
                                   .arg(unit)
                                   .arg(c)
                                   .arg(r.iouOf(unit, int(c)))
                                   .arg(expected)));
                compared += expected > 0;
            }
        QVERIFY(compared >= 4);  // the comparison saw real overlaps, not only zeros
    }

    void thresholdsComeFromTheScanAndResultsAreCached()
    {
        QTemporaryDir ws;
        auto workspace = Workspace::open(ws.filePath("w.sqlite").toStdString(), model_->hash());
        ScanConfig scan;
        scan.folder = colourFolder_;
        scan.layers = {"features"};
        Progress quiet;
        scanFolder(*model_, *workspace, scan, quiet);
        DissectionConfig config;
        config.folder = colourFolder_;
        config.layer = "features";
        bool cached = true;
        const DissectionResult first =
            dissectLayer(*model_, workspace.get(), config, quiet, &cached);
        QVERIFY(!cached);
        QVERIFY(first.thresholdsFromScan);
        QCOMPARE(first.units[0].concept, conceptIndex(first, "red"));
        QVERIFY(first.units[0].iou > 0.5f);
        const DissectionResult again =
            dissectLayer(*model_, workspace.get(), config, quiet, &cached);
        QVERIFY(cached);
        QVERIFY(again.iou == first.iou);
        config.detectorIoU = 0.2;  // another setting: computed again
        dissectLayer(*model_, workspace.get(), config, quiet, &cached);
        QVERIFY(!cached);
        QVERIFY_THROWS_EXCEPTION(
            Error, deserializeDissection(serializeDissection(first).substr(0, 40)));
    }

    void severalLayersInOnePassEqualOneAtATime()
    {
        QTemporaryDir dir;
        auto branchy =
            Model::load(test::writeBranchyCnn(dir.path().toStdString()), DevicePreference::Cpu);
        DissectionConfig config;
        config.folder = colourFolder_;
        config.maxImages = 8;
        Progress quiet;
        const auto both = dissectLayers(*branchy, nullptr, config, {"conv1", "block"}, quiet);
        QCOMPARE(both.size(), size_t(2));
        for (const auto& r : both) {
            config.layer = r.layer;
            const DissectionResult alone = dissectLayer(*branchy, nullptr, config, quiet);
            QVERIFY(alone.iou == r.iou);
            QCOMPARE(alone.units.size(), r.units.size());
            QVERIFY(std::any_of(r.iou.begin(), r.iou.end(), [](float v) { return v > 0; }));
        }
        QCOMPARE(both[1].layer, std::string("block"));
        QCOMPARE(both[1].units.size(), size_t(8));
    }

    void badSourcesAreRefused()
    {
        DissectionConfig config;
        config.folder = colourFolder_;
        config.layer = "features";
        config.sources.colours = false;
        Progress quiet;
        QVERIFY_THROWS_EXCEPTION(
            Error, dissectLayer(*model_, nullptr, config, quiet));  // no concepts
        config.sources.labelFolder = syntheticFolder_ + "/labels";
        QVERIFY_THROWS_EXCEPTION(Error, dissectLayer(*model_, nullptr, config, quiet));  // no CSV
        const std::string csv = dir_.filePath("bad.csv").toStdString();
        QFile file(QString::fromStdString(csv));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("label,name,category\n1,dog\n");
        file.close();
        config.sources.labelCsv = csv;
        try {
            dissectLayer(*model_, nullptr, config, quiet);
            QFAIL("a malformed CSV was accepted");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("line 2") != std::string::npos);
        }
        config.sources = ConceptSources{};
        config.quantile = 0;
        QVERIFY_THROWS_EXCEPTION(Error, dissectLayer(*model_, nullptr, config, quiet));
    }

    void limeFindsTheRegionAModelReads()
    {
        QTemporaryDir dir;
        auto reader =
            Model::load(test::writeRegionReader(dir.path().toStdString()), DevicePreference::Cpu);
        // 8 px blocks of distinct colours, aligned with the 8 x 8 square the model reads.
        RgbImage image(32, 32);
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x) {
                const int block = (y / 8) * 4 + x / 8;
                auto* p = image.pixel(x, y);
                p[0] = std::uint8_t((block * 97) % 256);
                p[1] = std::uint8_t((block * 53 + 80) % 256);
                p[2] = std::uint8_t((block * 29 + 160) % 256);
            }
        for (int y = test::kRegionReaderY; y < test::kRegionReaderY + test::kRegionReaderSize; ++y)
            for (int x = test::kRegionReaderX; x < test::kRegionReaderX + test::kRegionReaderSize;
                 ++x)
                std::fill(image.pixel(x, y), image.pixel(x, y) + 3, std::uint8_t(250));
        AttributionConfig config;
        config.method = AttributionMethod::Lime;
        config.target = AttributionTarget::parse("class:0");
        config.limeSamples = 300;
        config.superpixels = 16;
        config.fill = AttributionConfig::Fill::Black;
        Progress quiet;
        const LimeExplanation lime = explainWithLime(*reader, image, config, quiet);
        const int read = lime.superpixels.labels[size_t(12 * 32 + 12)];
        QCOMPARE(lime.ranked().front(), read);
        for (int i = 0; i < lime.superpixels.count; ++i)
            if (i != read)
                QVERIFY(std::abs(lime.weights[size_t(i)]) < 0.1f * lime.weights[size_t(read)]);
        QVERIFY(lime.fitR2 > 0.9f);
        // The same through the attribution entry point: the map peaks on the square.
        const AttributionMap map = attribute(*reader, image, config, quiet);
        const auto peak =
            std::max_element(map.values.begin(), map.values.end()) - map.values.begin();
        QVERIFY(std::abs(int(peak % 32) - 12) <= 4 && std::abs(int(peak / 32) - 12) <= 4);
    }

    void contributionsAddUpToTheLogitWhereThePathIsLinear()
    {
        const RgbImage photo = colourPhoto(99);
        const DecisionExplanation one = explainDecision(*model_, photo, "features", 0);
        QVERIFY(one.linearPath);
        QVERIFY(std::abs(one.biasPath - test::kDetectorHeadBias[0]) < 1e-5);
        QVERIFY(std::abs(one.explained - (one.logit - test::kDetectorHeadBias[0])) < 1e-4);
        // Exactly activation x weight: W[0] = (2, 0.5) on the channel means.
        for (const auto& c : one.channels) {
            const double weight = c.channel == 0 ? 2.0 : 0.5;
            QVERIFY(std::abs(c.contribution - weight * c.activation) <
                1e-4 * (1 + std::abs(c.contribution)));
        }
        const DecisionExplanation two = explainDecision(*model_, photo, "features", 0, 1);
        QVERIFY(
            std::abs(two.explained -
                (two.logit - (test::kDetectorHeadBias[0] - test::kDetectorHeadBias[1]))) < 1e-4);
        QCOMPARE(two.mapWidth, 224);
        QCOMPARE(one.mapOf(0).values.size(), size_t(224 * 224));
        QVERIFY_THROWS_EXCEPTION(Error, explainDecision(*model_, photo, "features", 5));
        QVERIFY_THROWS_EXCEPTION(Error, explainDecision(*model_, photo, "features", 1, 1));

        // Through a ReLU with biases the sum is only first-order: said, not hidden.
        QTemporaryDir dir;
        auto branchy =
            Model::load(test::writeBranchyCnn(dir.path().toStdString()), DevicePreference::Cpu);
        RgbImage noise(32, 32);
        SeededRandom random(5);
        for (auto& p : noise.pixels)
            p = std::uint8_t(random.integer(0, 255));
        QVERIFY(!explainDecision(*branchy, noise, "conv1", 0).linearPath);
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> model_;
    std::string colourFolder_, syntheticFolder_;
};

QTEST_GUILESS_MAIN(TestDissection)
#include "test_dissection.moc"
