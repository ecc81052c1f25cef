#include "core/activations.h"
#include "core/dataset_scan.h"
#include "core/receptive_field.h"
#include "core/scan_shards.h"
#include "core/unit_sheet.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/model.h"
#include "core/synthetic_shapes.h"
#include "core/workspace.h"
#include "tests/support/test_models.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <functional>

#include <sys/stat.h>

using namespace loupe;

namespace {

RgbImage noiseImage(std::uint64_t seed, int w, int h)
{
    SeededRandom rng(seed);
    RgbImage img(w, h);
    for (auto& p : img.pixels)
        p = std::uint8_t(100 + rng.uniform() * 40);  // low-contrast clutter
    return img;
}

RgbImage barImage(int column, bool brightBar)
{
    RgbImage img(32, 32);
    std::fill(img.pixels.begin(), img.pixels.end(), brightBar ? 0 : 255);
    for (int y = 6; y < 26; ++y)
        std::fill(img.pixel(column, y), img.pixel(column, y) + 3, brightBar ? 255 : 0);
    return img;
}

void writeBytes(const QString& path, const std::string& bytes)
{
    std::ofstream(path.toStdString(), std::ios::binary) << bytes;
}

// Two scans hold the same statistics: images, counts, histograms and top/bottom-k exactly,
// moments within float tolerance, reservoirs of the same size over the same count.
void verifySameScan(const ScanResults& a, const ScanResults& b)
{
    QCOMPARE(a.images, b.images);
    QCOMPARE(a.layerOrder, b.layerOrder);
    for (const auto& layer : a.layerOrder) {
        const auto& ca = a.layers.at(layer);
        const auto& cb = b.layers.at(layer);
        QCOMPARE(ca.size(), cb.size());
        for (size_t c = 0; c < ca.size(); ++c) {
            QCOMPARE(ca[c].count, cb[c].count);
            QCOMPARE(ca[c].positive, cb[c].positive);
            QVERIFY(ca[c].histogram.counts() == cb[c].histogram.counts());
            QVERIFY(std::abs(ca[c].sum - cb[c].sum) <=
                1e-9 * std::max(1.0, std::abs(ca[c].sum)) + 1e-6);
            QVERIFY(std::abs(ca[c].sumOfSquares - cb[c].sumOfSquares) <=
                1e-9 * std::max(1.0, ca[c].sumOfSquares) + 1e-6);
            for (const auto* pair : {&ca[c].top, &ca[c].bottom}) {
                const auto& other = pair == &ca[c].top ? cb[c].top : cb[c].bottom;
                const auto x = pair->sorted(), y = other.sorted();
                QCOMPARE(x.size(), y.size());
                for (size_t i = 0; i < x.size(); ++i) {
                    QCOMPARE(x[i].value, y[i].value);
                    QCOMPARE(x[i].image, y[i].image);
                    QCOMPARE(x[i].x, y[i].x);
                    QCOMPARE(x[i].y, y[i].y);
                }
            }
            QCOMPARE(ca[c].reservoir.seen(), cb[c].reservoir.seen());
            QCOMPARE(ca[c].reservoir.items().size(), cb[c].reservoir.items().size());
        }
    }
}

}  // namespace

class TestDatasetScan : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        model_ = Model::load(
            test::writeBarDetector(models_.path().toStdString()), DevicePreference::Cpu);
        QDir(data_.path()).mkpath("sub");
        for (int i = 0; i < 40; ++i)
            saveImage(noiseImage(std::uint64_t(i + 1), 32, 32),
                data_.filePath(QString("noise_%1.png").arg(i, 2, 10, QChar('0'))).toStdString());
        saveImage(barImage(20, true), data_.filePath("sub/planted_bright_bar.png").toStdString());
        saveImage(barImage(9, false), data_.filePath("sub/planted_dark_bar.png").toStdString());
    }

    void plantedImagesRankFirstAtTheRightPlace()
    {
        QTemporaryDir ws;
        auto workspace = Workspace::open(ws.filePath("w.sqlite").toStdString(), model_->hash());
        ScanConfig config;
        config.folder = data_.path().toStdString();
        config.layers = {"conv1"};
        config.batchSize = 8;
        Progress progress;
        const ScanSummary summary = scanFolder(*model_, *workspace, config, progress);
        QCOMPARE(summary.scannedNow, 42);
        QVERIFY(summary.skipped.empty());

        const ScanResults scan = loadScan(*workspace);
        const auto& detector = scan.layers.at("conv1")[0];
        const Example best = detector.top.sorted().front();
        QCOMPARE(scan.images[size_t(best.image)], std::string("sub/planted_bright_bar.png"));
        QCOMPARE(int(best.x), 20);
        QVERIFY(best.y >= 6 && best.y < 26);
        const Example worst = detector.bottom.sorted().front();
        QCOMPARE(scan.images[size_t(worst.image)], std::string("sub/planted_dark_bar.png"));
        QCOMPARE(int(worst.x), 9);
        QVERIFY(worst.value < 0);
        QVERIFY(scan.receptiveFields.at("conv1").size >= 5);
    }

    // The family figure: each unit's picture and its strongest scanned examples, in order.
    void unitSheetShowsEachUnitsStrongestExamples()
    {
        QTemporaryDir ws;
        auto workspace = Workspace::open(ws.filePath("w.sqlite").toStdString(), model_->hash());
        Progress progress;
        const auto unscanned = unitSheet(*model_, *workspace, "conv1", {1, 0}, 3, 24, progress);
        QCOMPARE(unscanned.size(), size_t(2));
        QVERIFY(!unscanned[0].featureVis.empty());
        QVERIFY(unscanned[0].examples.empty());  // no scan yet: pictures only

        ScanConfig config;
        config.folder = data_.path().toStdString();
        config.layers = {"conv1"};
        scanFolder(*model_, *workspace, config, progress);
        const auto rows = unitSheet(*model_, *workspace, "conv1", {1, 0}, 3, 24, progress);
        QCOMPARE(rows[0].channel, 1);
        QCOMPARE(rows[1].channel, 0);
        const ScanResults scan = loadScan(*workspace);
        for (const auto& row : rows) {
            QCOMPARE(row.examples.size(), size_t(3));
            const auto top = scan.layers.at("conv1")[size_t(row.channel)].top.sorted();
            QCOMPARE(row.values.front(), top.front().value);
            QVERIFY(row.values[0] >= row.values[1] && row.values[1] >= row.values[2]);
            QVERIFY(row.featureVis.pixels ==
                unscanned[row.channel == 1 ? 0 : 1].featureVis.pixels);  // cached, not redone
        }
        const RgbImage sheet = unitSheetImage(rows, 24);
        QCOMPARE(sheet.height, 2 * (24 + 4) + 4);
        QVERIFY(sheet.width > 4 * 24);
        QVERIFY_THROWS_EXCEPTION(
            Error, unitSheet(*model_, *workspace, "conv1", {9}, 3, 24, progress));
    }

    void histogramAndFractionMatchDirectComputation()
    {
        QTemporaryDir ws;
        auto workspace = Workspace::open(ws.filePath("w.sqlite").toStdString(), model_->hash());
        ScanConfig config;
        config.folder = data_.path().toStdString();
        config.layers = {"conv1", "conv1.conv"};
        Progress progress;
        scanFolder(*model_, *workspace, config, progress);
        // Reading one layer of a two-layer scan: the other is listed but not loaded.
        const ScanResults scan = loadScan(*workspace, config.folder, {"conv1"});
        QCOMPARE(scan.layerOrder.size(), size_t(2));
        QCOMPARE(scan.layers.size(), size_t(1));
        std::vector<std::uint64_t> positive(4, 0);
        std::vector<double> sums(4, 0);
        for (const auto& name : scan.images) {
            const auto acts = computeActivations(*model_,
                loadImage(data_.filePath(QString::fromStdString(name)).toStdString()), "conv1",
                true, 0);
            for (int c = 0; c < 4; ++c)
                for (float v : acts.channelMap(c).values) {
                    positive[size_t(c)] += v > 0;
                    sums[size_t(c)] += v;
                }
        }
        for (int c = 0; c < 4; ++c) {
            const auto& s = scan.layers.at("conv1")[size_t(c)];
            QCOMPARE(s.count, std::uint64_t(42 * 32 * 32));
            QCOMPARE(s.histogram.total(), s.count);
            QCOMPARE(s.positive, positive[size_t(c)]);
            QVERIFY(std::abs(s.sum - sums[size_t(c)]) <
                1e-3 * std::max(1.0, std::abs(sums[size_t(c)])));
            // Every histogram bin holds values inside its edges: check the extreme examples.
            const int topBin = Histogram::binOf(s.top.sorted().front().value);
            QVERIFY(s.histogram.counts()[size_t(topBin)] > 0);
        }
    }

    void resumedScanEqualsSingleRun()
    {
        ScanConfig config;
        config.folder = data_.path().toStdString();
        config.layers = {"conv1"};
        config.batchSize = 8;
        config.saveEveryBatches = 1;

        QTemporaryDir once, twice;
        auto single = Workspace::open(once.filePath("w.sqlite").toStdString(), model_->hash());
        Progress plain;
        scanFolder(*model_, *single, config, plain);

        auto split = Workspace::open(twice.filePath("w.sqlite").toStdString(), model_->hash());
        Progress* self = nullptr;
        Progress stopping([&](double fraction, const std::string&) {
            if (fraction > 0.3 && self)
                self->cancel();
        });
        self = &stopping;
        QVERIFY_THROWS_EXCEPTION(Cancelled, scanFolder(*model_, *split, config, stopping));
        const int firstPart = int(loadScan(*split).images.size());
        QVERIFY(firstPart > 0 && firstPart < 42);
        const ScanSummary resumed = scanFolder(*model_, *split, config, plain);
        QCOMPARE(resumed.alreadyScanned, firstPart);
        QCOMPARE(resumed.scannedNow, 42 - firstPart);

        const ScanResults a = loadScan(*single), b = loadScan(*split);
        QCOMPARE(a.images, b.images);
        for (int c = 0; c < 4; ++c) {
            const auto& sa = a.layers.at("conv1")[size_t(c)];
            const auto& sb = b.layers.at("conv1")[size_t(c)];
            QCOMPARE(sa.count, sb.count);
            QVERIFY(sa.histogram.counts() == sb.histogram.counts());
            const auto ta = sa.top.sorted(), tb = sb.top.sorted();
            QCOMPARE(ta.size(), tb.size());
            for (size_t i = 0; i < ta.size(); ++i) {
                QCOMPARE(ta[i].image, tb[i].image);
                QCOMPARE(ta[i].value, tb[i].value);
            }
        }
        config.layers = {"conv1.conv"};
        QVERIFY_THROWS_EXCEPTION(Error, scanFolder(*model_, *split, config, plain));
    }

    void badFilesAreSkippedWithReasons()
    {
        QTemporaryDir dir;
        saveImage(noiseImage(1, 50, 20), dir.filePath("wide.png").toStdString());
        RgbImage grey = noiseImage(2, 40, 40);
        saveImage(grey, dir.filePath("grey.jpg").toStdString());
        writeBytes(dir.filePath("empty.jpg"), "");
        writeBytes(dir.filePath("text.jpg"), "this is not an image at all");
        saveImage(noiseImage(3, 64, 64), dir.filePath("whole.jpg").toStdString());
        QFile whole(dir.filePath("whole.jpg"));
        QVERIFY(whole.open(QIODevice::ReadOnly));
        const QByteArray bytes = whole.readAll();
        writeBytes(dir.filePath("truncated.jpg"), bytes.left(bytes.size() / 2).toStdString());
        // A PNG header announcing 20000 x 20000 pixels: refused before any decoding.
        const char header[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x4e\x20\0\0\x4e\x20\x08\x02\0\0\0";
        std::string huge(header, sizeof header - 1);  // the literal's bytes, NULs included
        writeBytes(dir.filePath("huge.png"), huge + std::string(64, '\0'));

        QTemporaryDir ws;
        auto workspace = Workspace::open(ws.filePath("w.sqlite").toStdString(), model_->hash());
        ScanConfig config;
        config.folder = dir.path().toStdString();
        config.layers = {"conv1"};
        Progress progress;
        const ScanSummary summary = scanFolder(*model_, *workspace, config, progress);
        QCOMPARE(summary.scannedNow, 3);  // wide, grey, whole
        std::map<std::string, std::string> reasons;
        for (const auto& s : summary.skipped)
            reasons[s.path] = s.reason;
        QCOMPARE(reasons.size(), size_t(4));
        QVERIFY(QString::fromStdString(reasons["empty.jpg"]).contains("empty"));
        QVERIFY(QString::fromStdString(reasons["text.jpg"]).contains("not a readable image"));
        QVERIFY(QString::fromStdString(reasons["truncated.jpg"]).contains("truncated"));
        QVERIFY(QString::fromStdString(reasons["huge.png"]).contains("too large"));
        // A re-run tries them again: still broken, they are listed again, once each.
        const ScanSummary again = scanFolder(*model_, *workspace, config, progress);
        QCOMPARE(again.scannedNow, 0);
        QCOMPARE(again.skipped.size(), size_t(4));
        // A file restored since is scanned by the next run (it was excluded for good before).
        saveImage(noiseImage(4, 32, 32), dir.filePath("empty.jpg").toStdString());
        const ScanSummary restored = scanFolder(*model_, *workspace, config, progress);
        QCOMPARE(restored.scannedNow, 1);
        QCOMPARE(restored.alreadyScanned, 3);
        QCOMPARE(restored.skipped.size(), size_t(3));
        QCOMPARE(loadScan(*workspace).images.size(), size_t(4));
        // A folder without a single image is refused with the reason, not "scanned".
        QTemporaryDir empty;
        config.folder = empty.path().toStdString();
        try {
            scanFolder(*model_, *workspace, config, progress);
            QFAIL("an empty folder must be refused");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("no images"), e.what());
        }
    }

    void entriesThatAreNoFilesAreListedWithAReason()
    {
        QTemporaryDir dir;
        saveImage(noiseImage(5, 32, 32), dir.filePath("real.png").toStdString());
        QVERIFY(QDir(dir.path()).mkdir("folder.jpg"));
        saveImage(noiseImage(6, 32, 32), dir.filePath("folder.jpg/inside.png").toStdString());
        QVERIFY(::mkfifo(dir.filePath("pipe.jpg").toLocal8Bit().constData(), 0600) == 0);
        QVERIFY(QFile::link(dir.filePath("missing.png"), dir.filePath("dangling.png")));
        QVERIFY(QFile::link(dir.filePath("loop_b.png"), dir.filePath("loop_a.png")));
        QVERIFY(QFile::link(dir.filePath("loop_a.png"), dir.filePath("loop_b.png")));
        QVERIFY(QFile::link(dir.filePath("real.png"), dir.filePath("alias.png")));

        QTemporaryDir ws;
        auto workspace = Workspace::open(ws.filePath("w.sqlite").toStdString(), model_->hash());
        ScanConfig config;
        config.folder = dir.path().toStdString();
        config.layers = {"conv1"};
        Progress progress;
        const ScanSummary summary = scanFolder(*model_, *workspace, config, progress);
        QCOMPARE(summary.scannedNow, 3);  // real, folder.jpg/inside, alias (a link to an image)
        std::map<std::string, std::string> reasons;
        for (const auto& s : summary.skipped)
            reasons[s.path] = s.reason;
        QCOMPARE(reasons.size(), size_t(5));
        QVERIFY(QString::fromStdString(reasons["folder.jpg"]).contains("folder"));
        QVERIFY(QString::fromStdString(reasons["pipe.jpg"]).contains("FIFO"));
        QVERIFY(QString::fromStdString(reasons["dangling.png"]).contains("dangling"));
        QVERIFY(!reasons["loop_a.png"].empty());
        QVERIFY(!reasons["loop_b.png"].empty());
    }

    void singleDeepLayerScanOnAFreshWorkspace()
    {
        // The receptive-field estimate differentiates the same capture plan the scan then runs
        // under InferenceMode; that once failed with "Inference tensors cannot be saved for
        // backward" for a single deep layer on a fresh workspace.
        QTemporaryDir models, ws;
        const auto branchy =
            Model::load(test::writeBranchyCnn(models.path().toStdString()), DevicePreference::Cpu);
        for (const char* layer : {"block", "pool", "block.b2"}) {
            auto workspace = Workspace::open(
                ws.filePath(QString("%1.sqlite").arg(layer)).toStdString(), branchy->hash());
            ScanConfig config;
            config.folder = data_.path().toStdString();
            config.layers = {layer};
            Progress progress;
            const ScanSummary summary = scanFolder(*branchy, *workspace, config, progress);
            QCOMPARE(summary.scannedNow, 42);
        }
    }

    void damagedScansAreReportedAndNeverOverwritten_data()
    {
        QTest::addColumn<QString>("part");  // which record is damaged
        QTest::addColumn<QByteArray>("garbage");
        QTest::newRow("layer blob") << "|layer|conv1" << QByteArray("\x01\x02 not statistics");
        QTest::newRow("image list, not JSON")
            << "|images" << QByteArray("{\"images\": [\"a.png\",");
        QTest::newRow("image list, wrong shape")
            << "|images"
            << QByteArray(R"({"images": ["a"], "layers": ["conv1"], "skipped": [[]]})");
    }
    void damagedScansAreReportedAndNeverOverwritten()
    {
        QFETCH(QString, part);
        QFETCH(QByteArray, garbage);
        QTemporaryDir ws;
        auto workspace = Workspace::open(ws.filePath("w.sqlite").toStdString(), model_->hash());
        ScanConfig config;
        config.folder = data_.path().toStdString();
        config.layers = {"conv1"};
        Progress progress;
        scanFolder(*model_, *workspace, config, progress);
        std::string damagedKey;
        for (const auto& key : workspace->keys("scan"))
            if (QString::fromStdString(key).endsWith(part))
                damagedKey = key;
        QVERIFY(!damagedKey.empty());
        workspace->put("scan", damagedKey, garbage.toStdString());

        const auto expectDamage = [&](const std::function<void()>& call) {
            try {
                call();
                QFAIL("a damaged scan was accepted");
            } catch (const Error& e) {
                const QString message = QString::fromUtf8(e.what());
                QVERIFY2(
                    message.contains("damaged") && !message.contains("_M_range_check"), e.what());
            }
        };
        expectDamage([&] { loadScan(*workspace); });
        expectDamage([&] { loadScan(*workspace, {}, {"conv1"}); });
        // A new scan of the folder does not start over on top of the damaged one.
        expectDamage([&] { scanFolder(*model_, *workspace, config, progress); });
        QCOMPARE(QByteArray::fromStdString(*workspace->get("scan", damagedKey)), garbage);
    }

    // A unit whose peak is at the border: its crop is shifted inside the picture instead of
    // being half grey padding; a field larger than the view is padded.
    void examplesAtTheBorderAreShiftedInside()
    {
        RgbImage red(40, 40);
        for (size_t i = 0; i < red.pixels.size(); i += 3)
            red.pixels[i] = 255;
        ReceptiveField field;
        field.size = 16;
        field.stride = 4;
        field.offset = 2;
        const RgbImage corner = exampleImage(red, 40, field, 0, 0, false, 16);
        for (size_t i = 0; i < corner.pixels.size(); i += 3)
            QVERIFY2(corner.pixels[i] == 255 && corner.pixels[i + 1] == 0,
                "grey padding in a crop that fits inside the image");
        field.size = 64;  // larger than the 40 px view: padded, the picture in the middle
        const RgbImage big = exampleImage(red, 40, field, 4, 4, false, 64);
        QCOMPARE(int(big.pixel(0, 0)[1]), 128);
        QCOMPARE(int(big.pixel(32, 32)[0]), 255);
    }

    void shardsMergeIntoTheScanOfTheWholeFolder()
    {
        ScanConfig config;
        config.folder = data_.path().toStdString();
        config.layers = {"conv1", "conv1.conv"};
        config.batchSize = 1;  // the merge compared, not the batch size's rounding
        QTemporaryDir dir;
        Progress plain;
        auto single = Workspace::open(dir.filePath("single.sqlite").toStdString(), model_->hash());
        scanFolder(*model_, *single, config, plain);
        const ScanResults whole = loadScan(*single);

        // The split: every image in exactly one shard, the same split every time.
        std::vector<std::string> listing(whole.images);
        std::vector<std::string> seen;
        for (int s = 0; s < 3; ++s)
            for (const auto& image : shardImages(listing, s, 3))
                seen.push_back(image);
        std::sort(seen.begin(), seen.end());
        QCOMPARE(seen, listing);
        QCOMPARE(shardImages(listing, 1, 3), shardImages(listing, 1, 3));
        QVERIFY_THROWS_EXCEPTION(Error, shardImages(listing, 3, 3));

        const auto scanShard = [&](const QString& name, int shard, int shards,
                                   const std::vector<std::string>& skip = {}) {
            const std::string file = dir.filePath(name).toStdString();
            auto workspace = Workspace::open(file, model_->hash());
            ScanConfig c = config;
            c.shard = shard;
            c.shards = shards;
            c.skipImages = skip;
            scanFolder(*model_, *workspace, c, plain);
            return file;
        };
        std::vector<std::string> files;
        for (int s = 0; s < 3; ++s)
            files.push_back(scanShard(QString("shard-%1-of-3.sqlite").arg(s), s, 3));
        QCOMPARE(readShardRecord(*Workspace::openExisting(files[1])).shard, 1);

        auto merged = Workspace::open(dir.filePath("merged.sqlite").toStdString(), model_->hash());
        const MergeSummary m = mergeScanShards(files, *merged);
        QCOMPARE(m.provenance.images, 42);
        QCOMPARE(m.provenance.shards, 3);
        QCOMPARE(m.missingImages, 0);
        auto partial =
            Workspace::open(dir.filePath("partial.sqlite").toStdString(), model_->hash());
        QCOMPARE(mergeScanShards({files[0], files[2]}, *partial).missingImages,
            int(shardImages(listing, 1, 3).size()));
        verifySameScan(whole, loadScan(*merged));
        QVERIFY(readScanProvenance(*merged, whole.folder).has_value());

        // Any order of the shard files gives the same workspace, reservoirs included.
        auto reversed =
            Workspace::open(dir.filePath("reversed.sqlite").toStdString(), model_->hash());
        mergeScanShards({files[2], files[0], files[1]}, *reversed);
        const ScanResults r = loadScan(*reversed), f = loadScan(*merged);
        verifySameScan(f, r);
        for (size_t c = 0; c < 4; ++c) {
            const auto& x = f.layers.at("conv1")[c].reservoir.items();
            const auto& y = r.layers.at("conv1")[c].reservoir.items();
            for (size_t i = 0; i < x.size(); ++i)
                QCOMPARE(x[i].image, y[i].image);
        }

        // A run with another shard count after a partial one: the images of the earlier shard
        // files are not scanned again, and everything merges into the same scan.
        const std::string earlier = scanShard("shard-0-of-2.sqlite", 0, 2);
        const auto done = imagesScannedIn({earlier});
        QCOMPARE(int(done.size()), 21);
        std::vector<std::string> rerun{earlier};
        for (int s = 0; s < 3; ++s)
            rerun.push_back(scanShard(QString("rerun-%1-of-3.sqlite").arg(s), s, 3, done));
        int rescanned = 0;
        for (size_t i = 1; i < rerun.size(); ++i)
            rescanned += int(loadScan(*Workspace::openExisting(rerun[i])).images.size());
        QCOMPARE(rescanned, 42 - 21);
        auto again = Workspace::open(dir.filePath("again.sqlite").toStdString(), model_->hash());
        mergeScanShards(rerun, *again);
        verifySameScan(whole, loadScan(*again));
    }

    void mismatchedShardsAreRefused()
    {
        ScanConfig config;
        config.folder = data_.path().toStdString();
        config.layers = {"conv1"};
        config.batchSize = 16;
        config.shards = 2;
        QTemporaryDir dir, otherFolder;
        Progress plain;
        const auto scanInto = [&](const QString& name, const ScanConfig& c) {
            auto w = Workspace::open(dir.filePath(name).toStdString(), model_->hash());
            scanFolder(*model_, *w, c, plain);
            return dir.filePath(name).toStdString();
        };
        const std::string first = scanInto("a.sqlite", config);
        ScanConfig layers = config;
        layers.shard = 1;
        layers.layers = {"conv1.conv"};
        const std::string otherLayers = scanInto("b.sqlite", layers);
        for (int i = 0; i < 3; ++i)
            saveImage(noiseImage(std::uint64_t(i + 7), 32, 32),
                otherFolder.filePath(QString("n%1.png").arg(i)).toStdString());
        ScanConfig folder = config;
        folder.shard = 1;
        folder.folder = otherFolder.path().toStdString();
        const std::string otherListing = scanInto("c.sqlite", folder);

        auto target = Workspace::open(dir.filePath("t.sqlite").toStdString(), model_->hash());
        const auto refusal = [&](const std::vector<std::string>& files) {
            try {
                mergeScanShards(files, *target);
            } catch (const Error& e) {
                return std::string(e.what());
            }
            return std::string();
        };
        QVERIFY(refusal({first, otherLayers}).find("other layers") != std::string::npos);
        QVERIFY(refusal({first, otherListing}).find("another folder listing") != std::string::npos);
        QVERIFY(refusal({first, first}).find("scanned by two shards") != std::string::npos);
        auto foreign =
            Workspace::open(dir.filePath("f.sqlite").toStdString(), std::string(64, 'a'));
        foreign.reset();
        QVERIFY(refusal({first, dir.filePath("f.sqlite").toStdString()}).find("another model") !=
            std::string::npos);
        QVERIFY(refusal({dir.filePath("missing.sqlite").toStdString()}).find("does not exist") !=
            std::string::npos);
        QVERIFY_THROWS_EXCEPTION(Error, loadScan(*target));  // nothing was written
    }

    void statisticsMergeExactly()
    {
        ChannelStatistics a(4, 16, 1), b(4, 16, 2);
        for (int i = 0; i < 100; ++i) {
            const float v = float(i % 17) - 8.f;
            (i < 50 ? a : b).top.offer({v, i, 0, 0});
            (i < 50 ? a : b).histogram.add(Histogram::binOf(v), 1);
            (i < 50 ? a : b).count++;
        }
        const std::string bytes = serialize({a, b});
        auto restored = deserializeChannelStatistics(bytes);
        QCOMPARE(restored.size(), size_t(2));
        restored[0].merge(restored[1]);
        QCOMPARE(restored[0].count, std::uint64_t(100));
        QCOMPARE(restored[0].histogram.total(), std::uint64_t(100));
        QCOMPARE(restored[0].top.sorted().front().value, 8.f);
        QVERIFY_THROWS_EXCEPTION(
            Error, deserializeChannelStatistics(bytes.substr(0, bytes.size() / 2)));
        for (float v : {-1000.f, -1.f, -1e-4f, 0.f, 1e-4f, 0.5f, 3.f, 1e5f})
            QVERIFY(Histogram::binLow(Histogram::binOf(v)) <= v &&
                v <= Histogram::binHigh(Histogram::binOf(v)));
    }

private:
    QTemporaryDir models_;
    QTemporaryDir data_;
    std::unique_ptr<Model> model_;
};

QTEST_GUILESS_MAIN(TestDatasetScan)
#include "test_dataset_scan.moc"
