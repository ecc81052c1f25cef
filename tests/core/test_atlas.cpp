#include "core/atlas.h"
#include "core/atlas_store.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/image_io.h"
#include "core/model.h"
#include "core/synthetic_shapes.h"
#include "core/workspace.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <map>

using namespace loupe;

namespace {

struct Clusters {
    std::vector<float> vectors;
    std::vector<int> labels;
};

// `clusters` well separated Gaussian blobs in `dimension`-D.
Clusters makeClusters(int clusters, int perCluster, int dimension, std::uint64_t seed)
{
    SeededRandom rng(seed);
    auto gaussian = [&] {
        const double u = std::max(1e-12, rng.uniform()), v = rng.uniform();
        return std::sqrt(-2 * std::log(u)) * std::cos(2 * 3.14159265358979 * v);
    };
    std::vector<std::vector<double>> centres(
        static_cast<size_t>(clusters), std::vector<double>(static_cast<size_t>(dimension)));
    for (auto& c : centres)
        for (auto& v : c)
            v = 3 * gaussian();
    Clusters out;
    for (int k = 0; k < clusters; ++k)
        for (int i = 0; i < perCluster; ++i) {
            for (int d = 0; d < dimension; ++d)
                out.vectors.push_back(float(centres[size_t(k)][size_t(d)] + 0.5 * gaussian()));
            out.labels.push_back(k);
        }
    return out;
}

// Share of points whose k nearest neighbours in 2-D mostly carry their own label.
double neighbourAgreement(const std::vector<float>& xy, const std::vector<int>& labels, int k)
{
    const size_t n = labels.size();
    int agree = 0;
    for (size_t i = 0; i < n; ++i) {
        std::vector<std::pair<float, int>> d;
        for (size_t j = 0; j < n; ++j)
            if (j != i)
                d.emplace_back(
                    std::hypot(xy[2 * i] - xy[2 * j], xy[2 * i + 1] - xy[2 * j + 1]), labels[j]);
        std::partial_sort(d.begin(), d.begin() + k, d.end());
        int same = 0;
        for (int m = 0; m < k; ++m)
            same += d[size_t(m)].second == labels[i];
        agree += 2 * same > k;
    }
    return double(agree) / double(n);
}

}  // namespace

class TestAtlas : public QObject {
    Q_OBJECT
private slots:
    void layoutKeepsClustersApartAndIsDeterministic()
    {
        const Clusters data = makeClusters(10, 80, 64, 7);
        LayoutConfig config;
        config.device = DevicePreference::Cpu;
        config.seed = 3;
        Progress progress;
        const int n = int(data.labels.size());
        const auto xy = layout2d(data.vectors, n, 64, config, progress);
        QCOMPARE(xy.size(), size_t(2 * n));
        for (float v : xy)
            QVERIFY(v >= 0.f && v <= 1.f);
        const double agreement = neighbourAgreement(xy, data.labels, 10);
        QVERIFY2(agreement >= 0.9, qPrintable(QString::number(agreement)));
        QVERIFY(layout2d(data.vectors, n, 64, config, progress) == xy);  // same seed, same layout
        // A new member of cluster 3 lands among cluster 3's points.
        const std::vector<float> member(
            data.vectors.begin() + 3 * 80 * 64, data.vectors.begin() + 3 * 80 * 64 + 64);
        const auto placed = placeOnLayout(data.vectors, xy, 64, member, 5);
        float nearest = 1e9f;
        int label = -1;
        for (int i = 0; i < n; ++i) {
            const float dist =
                std::hypot(placed[0] - xy[2 * size_t(i)], placed[1] - xy[2 * size_t(i) + 1]);
            if (dist < nearest) {
                nearest = dist;
                label = data.labels[size_t(i)];
            }
        }
        QCOMPARE(label, 3);
        config.seed = 4;
        QVERIFY(layout2d(data.vectors, n, 64, config, progress) != xy);
    }

    void binsAndCellMeansAreExact()
    {
        SeededRandom rng(5);
        const int n = 500, dimension = 7, grid = 6;
        std::vector<float> xy, vectors;
        for (int i = 0; i < n; ++i) {
            xy.push_back(float(rng.uniform()));
            xy.push_back(float(rng.uniform()));
            for (int d = 0; d < dimension; ++d)
                vectors.push_back(float(rng.uniform() * 10 - 5));
        }
        const auto cells = binLayout(xy, vectors, dimension, grid);
        size_t total = 0;
        for (const auto& cell : cells) {
            total += cell.members.size();
            for (int d = 0; d < dimension; ++d) {
                double sum = 0;
                for (int m : cell.members) {
                    QCOMPARE(std::min(grid - 1, int(xy[2 * size_t(m)] * grid)), cell.column);
                    QCOMPARE(std::min(grid - 1, int(xy[2 * size_t(m) + 1] * grid)), cell.row);
                    sum += vectors[size_t(m) * dimension + size_t(d)];
                }
                QVERIFY(std::abs(cell.mean[size_t(d)] - sum / double(cell.members.size())) < 1e-5);
            }
        }
        QCOMPARE(total, size_t(n));
        for (size_t i = 1; i < cells.size(); ++i)
            QVERIFY(cells[i - 1].members.size() >= cells[i].members.size());
    }

    void samplesStreamAndAnAtlasIsDrawn()
    {
        QTemporaryDir dir, images;
        const auto model =
            Model::load(test::writeBranchyCnn(dir.path().toStdString()), DevicePreference::Cpu);
        for (int i = 0; i < 24; ++i) {
            RgbImage img(40 + i, 32);  // non-square, various sizes
            for (size_t p = 0; p < img.pixels.size(); ++p)
                img.pixels[p] = std::uint8_t((p * (i + 3) + i * 17) % 251);
            saveImage(
                img, images.filePath(QString("img%1.png").arg(i, 2, 10, QChar('0'))).toStdString());
        }
        std::ofstream(images.filePath("notes.jpg").toStdString()) << "not an image";
        AtlasConfig config;
        config.samples.folder = images.path().toStdString();
        config.samples.layer = "block";
        config.samples.samplesPerImage = 5;
        config.samples.batchSize = 7;
        config.layout.device = DevicePreference::Cpu;
        config.layout.epochs = 50;
        config.grid = 5;
        config.minimumCount = 2;
        config.icon.size = 32;
        config.icon.steps = 4;
        Progress progress;
        const Atlas atlas = buildAtlas(*model, config, progress);
        // Only the sampled vectors are kept: 24 readable images x 5 positions x 8 channels.
        QCOMPARE(atlas.samples.count(), 24 * 5);
        QCOMPARE(atlas.samples.vectors.size(), size_t(24 * 5 * 8));
        QCOMPARE(atlas.samples.skipped.size(), size_t(1));
        QCOMPARE(atlas.samples.predictedClass.size(), size_t(24));
        int iconCells = 0;
        for (const auto& cell : atlas.cells)
            iconCells += cell.members.size() >= 2;
        QCOMPARE(int(atlas.icons.size()), iconCells);
        const RgbImage picture = atlasImage(atlas, 16);
        QCOMPARE(picture.width, 5 * 16);
        // Every cell has its mean dataset patch (shown until its icon renders).
        QCOMPARE(atlas.patches.size(), atlas.cells.size());
        QCOMPARE(atlas.patches.front().width, config.patchSize);
        const std::string csv = atlasCoordinatesCsv(atlas);
        QCOMPARE(int(std::count(csv.begin(), csv.end(), '\n')), 1 + 24 * 5);

        config.samples.layer = "head";
        QVERIFY_THROWS_EXCEPTION(Error, buildAtlas(*model, config, progress));

        // The image map: one code per readable image, nearest neighbours by code distance.
        const ImageMap map = buildImageMap(
            *model, images.path().toStdString(), "block", 0, 24, config.layout, progress);
        QCOMPARE(map.images.size(), size_t(24));
        QCOMPARE(map.codes.size(), size_t(24 * 8));  // block pooled over positions
        QCOMPARE(map.coordinates.size(), size_t(48));
        QCOMPARE(map.skipped.size(), size_t(1));
        const auto nearest = nearestImages(map, 5, 3);
        QCOMPARE(nearest.size(), size_t(3));
        double previous = 0;
        for (int j : nearest) {  // nearest first, and truly the nearest
            double d = 0;
            for (int c = 0; c < 8; ++c)
                d += std::pow(
                    map.codes[5 * 8 + size_t(c)] - map.codes[size_t(j) * 8 + size_t(c)], 2);
            QVERIFY(d >= previous);
            previous = d;
        }
        for (int j = 0; j < 24; ++j) {
            if (j == 5 || std::find(nearest.begin(), nearest.end(), j) != nearest.end())
                continue;
            double d = 0;
            for (int c = 0; c < 8; ++c)
                d += std::pow(
                    map.codes[5 * 8 + size_t(c)] - map.codes[size_t(j) * 8 + size_t(c)], 2);
            QVERIFY(d >= previous - 1e-9);
        }
        QCOMPARE(imageMapPicture(map, 200, 24).width, 200);
    }

    // A cell's mean patch is the mean of its members' receptive-field crops: with one member
    // per cell it is exactly that member's crop; and the automatic grid grows with the samples.
    void meanPatchesAreTheMembersCrops()
    {
        QTemporaryDir dir, images;
        const auto model =
            Model::load(test::writeBranchyCnn(dir.path().toStdString()), DevicePreference::Cpu);
        for (int i = 0; i < 6; ++i) {
            RgbImage img(32, 32);
            for (size_t p = 0; p < img.pixels.size(); ++p)
                img.pixels[p] = std::uint8_t((p * (i + 5) + i * 31) % 253);
            saveImage(img, images.filePath(QString("p%1.png").arg(i)).toStdString());
        }
        AtlasConfig config;
        config.samples.folder = images.path().toStdString();
        config.samples.layer = "block";
        config.samples.samplesPerImage = 3;
        config.layout.device = DevicePreference::Cpu;
        config.layout.epochs = 20;
        config.grid = 4;
        config.maximumIcons = 0;
        config.patchesPerCell = 1;
        config.patchSize = 24;
        Progress progress;
        const Atlas atlas = buildAtlas(*model, config, progress);
        QVERIFY(atlas.icons.empty());
        const ReceptiveField field = estimateReceptiveField(*model, "block");
        for (size_t c = 0; c < atlas.cells.size(); ++c) {
            const int member = atlas.cells[c].members.front();
            const std::string path = config.samples.folder + "/" +
                atlas.samples.images[size_t(atlas.samples.image[size_t(member)])];
            const RgbImage crop = exampleImage(decodeImageForModel(path, 32), 32, field,
                atlas.samples.x[size_t(member)], atlas.samples.y[size_t(member)], false, 24);
            QVERIFY(atlas.patches[c].pixels == crop.pixels);
        }
        // Icons are rendered in view first, then most populated first, each cell once.
        AtlasIconQueue queue;
        queue.reset({0, 1, 2, 3, 4, 5});
        queue.show({4, 9, 1});  // 9 is not waiting (too few samples, or done)
        QCOMPARE(queue.next(2), (std::vector<int>{4, 1}));
        QCOMPARE(queue.next(3), (std::vector<int>{0, 2, 3}));
        queue.show({5});
        QCOMPARE(queue.next(3), (std::vector<int>{5}));
        QVERIFY(queue.next(3).empty());
        QCOMPARE(queue.total(), 6);
        QCOMPARE(atlasGridFor(0), 12);
        QCOMPARE(atlasGridFor(16000), 40);
        QCOMPARE(atlasGridFor(10'000'000), 64);
    }

    // An atlas is read back for the same layer, folder and parameters, and built anew when the
    // folder changes or the stored entry is unreadable.
    void atlasIsCachedUntilTheFolderChanges()
    {
        QTemporaryDir dir, images;
        const auto model =
            Model::load(test::writeBranchyCnn(dir.path().toStdString()), DevicePreference::Cpu);
        const auto writeImage = [&](int i) {
            RgbImage img(36, 36);
            for (size_t p = 0; p < img.pixels.size(); ++p)
                img.pixels[p] = std::uint8_t((p * (i + 5) + i * 31) % 251);
            saveImage(img, images.filePath(QString("img%1.png").arg(i)).toStdString());
        };
        for (int i = 0; i < 10; ++i)
            writeImage(i);
        AtlasConfig config;
        config.samples.folder = images.path().toStdString();
        config.samples.layer = "block";
        config.samples.samplesPerImage = 4;
        config.layout.device = DevicePreference::Cpu;
        config.layout.epochs = 20;
        config.grid = 4;
        config.minimumCount = 1;
        config.icon.size = 32;
        config.icon.steps = 2;
        auto ws = Workspace::open(dir.filePath("w.sqlite").toStdString(), model->hash());
        Progress progress;
        bool fromCache = true;
        const Atlas built = cachedAtlas(*model, *ws, config, progress, &fromCache);
        QVERIFY(!fromCache);
        const Atlas again = cachedAtlas(*model, *ws, config, progress, &fromCache);
        QVERIFY(fromCache);
        QCOMPARE(again.coordinates, built.coordinates);
        QCOMPARE(again.samples.vectors, built.samples.vectors);
        QCOMPARE(again.samples.images, built.samples.images);
        QCOMPARE(again.cells.size(), built.cells.size());
        QCOMPARE(again.cells.back().members, built.cells.back().members);
        QCOMPARE(again.icons.size(), built.icons.size());
        QVERIFY(again.icons.front().pixels == built.icons.front().pixels);
        QCOMPARE(again.patches.size(), built.cells.size());
        QVERIFY(again.patches.back().pixels == built.patches.back().pixels);

        // Icons a few cells at a time (as the dock renders them, in view first), each cached
        // under its cell: asked again in another order, they are read back, not rendered.
        const std::string atlasKey = atlasCacheKey(*model, config);
        const std::vector<int> some{2, 0};
        const auto first =
            atlasIcons(*model, ws.get(), atlasKey, built, some, config.icon, progress);
        QCOMPARE(first.size(), size_t(2));
        QCOMPARE(ws->count("atlas-icon"), 2);
        const auto reversed =
            atlasIcons(*model, ws.get(), atlasKey, built, {0, 2}, config.icon, progress);
        QCOMPARE(ws->count("atlas-icon"), 2);
        QVERIFY(reversed[0].pixels == first[1].pixels);
        QVERIFY(reversed[1].pixels == first[0].pixels);

        config.grid = 5;  // another parameter: another atlas
        cachedAtlas(*model, *ws, config, progress, &fromCache);
        QVERIFY(!fromCache);
        config.grid = 4;
        writeImage(10);  // the folder changed
        const Atlas grown = cachedAtlas(*model, *ws, config, progress, &fromCache);
        QVERIFY(!fromCache);
        QCOMPARE(grown.samples.images.size(), size_t(11));

        // The image map likewise.
        ImageMapRequest request;
        request.folder = config.samples.folder;
        request.layer = "block";
        request.thumbnailSize = 16;
        request.layout = config.layout;
        const ImageMap map = cachedImageMap(*model, *ws, request, progress, &fromCache);
        QVERIFY(!fromCache);
        const ImageMap mapAgain = cachedImageMap(*model, *ws, request, progress, &fromCache);
        QVERIFY(fromCache);
        QCOMPARE(mapAgain.codes, map.codes);
        QCOMPARE(mapAgain.coordinates, map.coordinates);
        QCOMPARE(mapAgain.images, map.images);
        QVERIFY(mapAgain.thumbnails.back().pixels == map.thumbnails.back().pixels);

        // A damaged entry is rebuilt, not trusted.
        const std::string key = atlasCacheKey(*model, config);
        const std::string bytes = *ws->get("atlas", key);
        ws->put("atlas", key, bytes.substr(0, bytes.size() / 2));
        QVERIFY_THROWS_EXCEPTION(Error, deserializeAtlas(bytes.substr(0, bytes.size() / 2)));
        const Atlas rebuilt = cachedAtlas(*model, *ws, config, progress, &fromCache);
        QVERIFY(!fromCache);
        QCOMPARE(rebuilt.coordinates, grown.coordinates);
    }
};

QTEST_GUILESS_MAIN(TestAtlas)
#include "test_atlas.moc"
