// The texture-vs-shape test and the degradation table: a model that sees only texture has a
// shape bias of 0, one that sees only silhouettes of 1; the accuracy table's counts add up.
#include "core/degradations.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/image_labels.h"
#include "core/model.h"
#include "core/shape_bias.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace loupe;

namespace {

enum Shape { Circle = 0, Square = 1 };
enum Texture { Red = 0, Green = 1 };

// A 32 px toy photo: a dark textured circle or square on white. Red stripes or a green
// checkerboard, both dark enough for the silhouette model.
RgbImage toyPhoto(Shape shape, Texture texture)
{
    RgbImage image(32, 32);
    std::fill(image.pixels.begin(), image.pixels.end(), std::uint8_t(255));
    for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
            const bool inside = shape == Square ? (x >= 4 && x <= 27 && y >= 4 && y <= 27)
                                                : std::hypot(x - 15.5, y - 15.5) <= 11.0;
            if (!inside)
                continue;
            const bool a = texture == Red ? (y / 2) % 2 == 0 : (x / 3 + y / 3) % 2 == 0;
            auto* p = image.pixel(x, y);
            if (texture == Red) {
                p[0] = a ? 200 : 120;
                p[1] = p[2] = a ? 30 : 10;
            } else {
                p[1] = a ? 160 : 90;
                p[0] = p[2] = a ? 30 : 10;
            }
        }
    return image;
}

std::vector<CueConflict> cueConflicts()
{
    // Shape class = the shape's index, texture class = the texture's index (both models
    // number their classes that way): a circle in green, a square in red, twice each.
    std::vector<CueConflict> out;
    for (int i = 0; i < 2; ++i) {
        out.push_back({"circle-green", toyPhoto(Circle, Green), Circle, Green});
        out.push_back({"square-red", toyPhoto(Square, Red), Square, Red});
    }
    return out;
}

}  // namespace

class TestTextureShape : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        const std::string dir = dir_.path().toStdString();
        texture_ = Model::load(test::writeTextureOnlyModel(dir), DevicePreference::Cpu);
        silhouette_ = Model::load(test::writeSilhouetteOnlyModel(dir), DevicePreference::Cpu);
    }

    void bothToyModelsGetTheirOwnWorldRight()
    {
        Progress progress;
        const std::vector<CueConflict> natural{{"circle-red", toyPhoto(Circle, Red), 0, 0},
            {"square-green", toyPhoto(Square, Green), 1, 1}};
        for (Model* model : {texture_.get(), silhouette_.get()}) {
            const ShapeBias b = measureShapeBias(*model, natural, progress);
            QCOMPARE(b.rows[0].predicted, 0);
            QCOMPARE(b.rows[1].predicted, 1);
        }
    }

    void aTextureModelHasNoShapeBias()
    {
        Progress progress;
        const ShapeBias b = measureShapeBias(*texture_, cueConflicts(), progress);
        QCOMPARE(b.texture, 4);
        QCOMPARE(b.shape + b.neither, 0);
        QCOMPARE(b.bias(), 0.0);
        QCOMPARE(b.forcedChoiceBias(), 0.0);
        QCOMPARE(b.rows[0].decision, CueDecision::Texture);
    }

    void aSilhouetteModelHasFullShapeBias()
    {
        Progress progress;
        const ShapeBias b = measureShapeBias(*silhouette_, cueConflicts(), progress);
        QCOMPARE(b.shape, 4);
        QCOMPARE(b.bias(), 1.0);
        QCOMPARE(b.forcedChoiceBias(), 1.0);
        QVERIFY(b.rows[1].shapeProbability > b.rows[1].textureProbability);
    }

    void withoutDecisionsTheBiasIsUndefined()
    {
        Progress progress;
        QVERIFY(std::isnan(measureShapeBias(*texture_, {}, progress).bias()));
        std::vector<CueConflict> bad{{"x", toyPhoto(Circle, Red), 0, 5}};
        QVERIFY_THROWS_EXCEPTION(Error, measureShapeBias(*texture_, bad, progress));
    }

    void cueConflictsPairDifferentClassesAndAreRenderedByStyleTransfer()
    {
        std::vector<LabelledPhoto> photos{{"c1", toyPhoto(Circle, Red), 0},
            {"c2", toyPhoto(Circle, Red), 0}, {"s1", toyPhoto(Square, Green), 1}};
        const auto pairs = cueConflictPairs(photos, 0);
        QCOMPARE(int(pairs.size()), 3);
        for (const auto& [shape, texture] : pairs)
            QVERIFY(photos[size_t(shape)].klass != photos[size_t(texture)].klass);
        StyleConfig config;
        config.contentLayer = "conv1";
        config.styleLayers = {"conv1"};
        config.steps = 10;
        Progress progress;
        const auto made =
            makeCueConflicts(*texture_, nullptr, photos, {pairs.front()}, config, progress);
        QCOMPARE(int(made.size()), 1);
        QCOMPARE(made[0].name,
            photos[size_t(pairs[0].first)].name + "-" + photos[size_t(pairs[0].second)].name);
        QCOMPARE(made[0].image.width, 32);
    }

    void degradationsDoWhatTheirNamesSay()
    {
        const RgbImage photo = test::noiseImage(40, 30, 3);
        const RgbImage grey = degradeImage(photo, Degradation::Greyscale);
        for (size_t i = 0; i < grey.pixels.size(); i += 3)
            QVERIFY(grey.pixels[i] == grey.pixels[i + 1] && grey.pixels[i] == grey.pixels[i + 2]);
        const RgbImage edges = degradeImage(toyPhoto(Square, Red), Degradation::Edges);
        int dark = 0;
        for (auto v : edges.pixels) {
            QVERIFY(v == 0 || v == 255);
            dark += v == 0;
        }
        QVERIFY(dark > 0);
        QCOMPARE(edges.pixel(0, 0)[0], std::uint8_t(255));  // no edge in the white background
        const RgbImage tiles = degradeImage(photo, Degradation::TexturePatches);
        const int side = 30 / 4;  // the centre patch, repeated
        for (int y = 0; y + side < 30; ++y)
            for (int x = 0; x + side < 40; ++x)
                QCOMPARE(tiles.pixel(x, y)[0], tiles.pixel(x + side, y)[0]);
        QVERIFY_THROWS_EXCEPTION(Error, degradeImage(photo, Degradation::Silhouette));
        RgbImage mask(20, 15);
        mask.pixel(5, 5)[0] = 255;
        const RgbImage silhouette = degradeImage(photo, Degradation::Silhouette, &mask);
        QCOMPARE(silhouette.width, 40);
        QCOMPARE(silhouette.pixel(10, 10)[0], std::uint8_t(0));
        QCOMPARE(silhouette.pixel(30, 20)[0], std::uint8_t(255));
        QCOMPARE(degradationFromName("texture"), Degradation::TexturePatches);
        QVERIFY_THROWS_EXCEPTION(Error, degradationFromName("blur"));
    }

    void labelsComeFromFoldersAndImageNetFileNames()
    {
        const ImageLabeler names({"tench", "goldfish", "crane", "crane", "great white shark"});
        QCOMPARE(names.classOf("n01440764_tench.JPEG"), 0);
        QCOMPARE(names.classOf("n01484850_great_white_shark.JPEG"), 4);
        QCOMPARE(names.classOf("fish/goldfish/photo 1.jpg"), 1);
        QCOMPARE(names.classOf("n02012849_crane.JPEG"), -1);  // two classes are called crane
        QCOMPARE(names.classOf("holiday.jpg"), -1);
        const ImageLabeler synsets({"tench", "goldfish", "crane", "crane", "great white shark"},
            {"n01440764", "n01443537", "n02012849", "n03126707", "n01484850"});
        QCOMPARE(synsets.classOf("n03126707_crane.JPEG"), 3);
        QCOMPARE(synsets.classOf("n01443537/any.jpg"), 1);
    }

    void theDegradationTableAddsUp()
    {
        QTemporaryDir data;
        QDir().mkpath(data.filePath("circle"));
        QDir().mkpath(data.filePath("square"));
        QTemporaryDir masks;
        QDir().mkpath(masks.filePath("circle"));
        saveImage(toyPhoto(Circle, Red), data.filePath("circle/a.png").toStdString());
        saveImage(toyPhoto(Circle, Green), data.filePath("circle/b.png").toStdString());
        saveImage(toyPhoto(Square, Green), data.filePath("n00000001_square.png").toStdString());
        saveImage(toyPhoto(Square, Red), data.filePath("unlabelled.png").toStdString());
        QFile broken(data.filePath("square/broken.png"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a png");
        broken.close();
        // One mask: a's circle.
        RgbImage mask(32, 32);
        const RgbImage a = toyPhoto(Circle, Red);
        for (size_t i = 0; i < a.pixels.size(); ++i)
            mask.pixels[i] = a.pixels[i - i % 3] == 255 ? 0 : 255;
        saveImage(mask, masks.filePath("circle/a.png").toStdString());

        DegradationConfig config;
        config.masksFolder = masks.path().toStdString();
        Progress progress;
        const DegradationTable table = measureDegradations(*silhouette_, data.path().toStdString(),
            ImageLabeler(silhouette_->metadata().labels), config, progress);
        QCOMPARE(table.photos, 3);
        QCOMPARE(int(table.leftOut.size()), 2);  // unlabelled.png, broken.png
        QCOMPARE(int(table.rows.size()), 5);
        for (const DegradationRow& row : table.rows) {
            QCOMPARE(row.images + row.skipped, table.photos);
            QVERIFY(row.top1 <= row.top5 && row.top5 <= row.images);
            QCOMPARE(row.top5, row.images);  // two classes: always within the top 5
        }
        QCOMPARE(table.rows[0].kind, Degradation::Original);
        QCOMPARE(table.rows[0].top1, 3);  // the silhouette model knows its toy world
        QCOMPARE(table.rows[3].kind, Degradation::Silhouette);
        QCOMPARE(table.rows[3].images, 1);
        QCOMPARE(table.rows[3].top1, 1);  // a filled black circle is still a circle
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> texture_;
    std::unique_ptr<Model> silhouette_;
};

QTEST_GUILESS_MAIN(TestTextureShape)
#include "test_texture_shape.moc"
