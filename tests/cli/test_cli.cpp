#include "core/image_io.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"
#include "tests/support/test_paths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QDir>
#include <QProcess>

#include <cmath>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QString err;
};

Run runCli(const QStringList& args)
{
    QProcess p;
    p.start(loupe::test::cliPath(), args);
    p.waitForFinished(120000);
    return {p.exitCode(), p.readAllStandardOutput(),
        QString::fromUtf8(p.readAllStandardError()).trimmed()};
}

}  // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        model_ = QString::fromStdString(loupe::test::writeBranchyCnn(dir_.path().toStdString()));
        image_ = dir_.filePath("photo.jpg");
        loupe::RgbImage photo(48, 40);
        for (size_t i = 0; i < photo.pixels.size(); ++i)
            photo.pixels[i] = std::uint8_t(i * 7);
        loupe::saveImage(photo, image_.toStdString());
        QFile whole(image_);
        QVERIFY(whole.open(QIODevice::ReadOnly));
        const QByteArray bytes = whole.readAll();
        QFile cut(dir_.filePath("truncated.jpg"));
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write(bytes.left(bytes.size() / 2));
        QVERIFY(QDir(dir_.path()).mkpath("empty"));
    }

    void infoPrintsModelJson()
    {
        const Run r = runCli({"info", "--model", model_});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject info = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(info["hash"].toString().size(), 64);
        QVERIFY(info["device"].toString().startsWith("CPU") ||
            info["device"].toString().startsWith("CUDA"));
        QCOMPARE(info["input"].toObject()["size"].toInt(), 32);
        QCOMPARE(info["classes"].toInt(), 3);
        bool sawBlock = false;
        for (const auto& v : info["layers"].toArray()) {
            const QJsonObject l = v.toObject();
            if (l["path"] == "block") {
                sawBlock = true;
                QCOMPARE(l["alias"].toString(), QString("mixed"));
                QCOMPARE(l["shape"].toArray(), (QJsonArray{8, 32, 32}));
            }
        }
        QVERIFY(sawBlock);
    }

    void activationsPrintsChannelsAndWritesGrid()
    {
        const QString image = dir_.filePath("in.png");
        loupe::RgbImage img(40, 30);
        std::fill(img.pixels.begin(), img.pixels.end(), 90);
        loupe::saveImage(img, image.toStdString());
        const QString grid = dir_.filePath("grid.png");
        const Run r = runCli({"activations", "--model", model_, "--image", image, "--layer",
            "block", "--out", grid});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject out = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(out["channels"].toArray().size(), 8);
        QCOMPARE(out["predictions"].toArray().size(), 3);
        QVERIFY(loupe::loadImage(grid.toStdString()).width > 0);
    }

    void tuneSweepsWritesCsvAndFindsTheCurveOrientation()
    {
        const QString curves =
            QString::fromStdString(loupe::test::writeCurveDetector(dir_.path().toStdString(), 60));
        const QString heat = dir_.filePath("heat.png"), csv = dir_.filePath("sweep.csv"),
                      ws = dir_.filePath("tune.sqlite");
        const Run r = runCli({"tune", "--model", curves, "--unit", "conv1:0", "--family", "conv1:1",
            "--workspace", ws, "--sweep", "orientation=0:360:10,curvature=2", "--set", "width=0.12",
            "--radial", "--out", heat, "--csv", csv, "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject out = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(out["preferred_orientation"].toArray(), (QJsonArray{60, 150}));
        QCOMPARE(out["stimuli"].toInt(), 36);
        QVERIFY(loupe::loadImage(heat.toStdString()).width > 0);
        QFile table(csv);
        QVERIFY(table.open(QIODevice::ReadOnly));
        QCOMPARE(table.readAll().count('\n'), 1 + 36);

        const Run bad = runCli({"tune", "--model", curves, "--unit", "conv1:0", "--workspace", ws,
            "--sweep", "colour=0:1:1"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.contains("unknown stimulus parameter"));
        const Run noScan =
            runCli({"tune", "--model", curves, "--unit", "conv1:0", "--workspace", ws, "--rotate"});
        QCOMPARE(noScan.exitCode, 1);
        QVERIFY(noScan.err.contains("scan"));
    }

    void helpListsEveryCommandAndItsOptions()
    {
        const Run r = runCli({"--help"});
        QCOMPARE(r.exitCode, 0);
        for (const char* command : {"info", "scan", "activation-grid", "attribute", "tune", "atlas",
                 "bench", "dream", "style", "adversarial", "shape-bias", "degrade"})
            QVERIFY2(r.out.contains(QByteArray("\n  ") + command + ' '), command);
        const Run scan = runCli({"scan", "--help"});
        QCOMPARE(scan.exitCode, 0);
        QVERIFY2(
            scan.out.contains("--images") && scan.out.contains("--layers"), scan.out.constData());
    }

    // The workspace is only a cache for featurevis: when it cannot be opened the render is
    // still written, with a warning.
    void featureVisWithoutAWorkspaceStillWritesItsImage()
    {
        const QString out = dir_.filePath("fv.png");
        const Run r = runCli(
            {"featurevis", "--model", model_, "--unit", "block:1", "--steps", "4", "--size", "32",
                "--out", out, "--workspace", "/proc/loupe-cannot-write-here/w.sqlite", "--quiet"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains("working without the workspace cache"), qPrintable(r.err));
        QVERIFY(QFileInfo(out).size() > 0);
    }

    // The image-space commands write their strips and report what they did.
    void dreamAndAdversarialWriteTheirImages()
    {
        const QString dream = dir_.filePath("dream.png");
        const Run d =
            runCli({"dream", "--model", model_, "--image", image_, "--objective", "layer:block",
                "--octaves", "2", "--steps", "5", "--out", dream, "--no-cache", "--quiet"});
        QCOMPARE(d.exitCode, 0);
        QVERIFY2(d.out.contains("\"final_objective\""), d.out.constData());
        QVERIFY(QFileInfo(dream).size() > 0);
        const QString adversarial = dir_.filePath("adversarial.png");
        const Run a = runCli({"adversarial", "--model", model_, "--image", image_, "--epsilon",
            "16", "--steps", "5", "--out", adversarial, "--no-cache", "--quiet"});
        QCOMPARE(a.exitCode, 0);
        QVERIFY2(
            a.out.contains("\"linf_pixels\"") && a.out.contains("\"after\""), a.out.constData());
        QVERIFY(QFileInfo(adversarial).size() > 0);
    }

    // The folder report: per-method table, per-image rows, the cascades and the figure; a
    // broken image is listed, not fatal. attribute --metrics --sanity --box on one image.
    void sanityReportsEveryMethodOverAFolder()
    {
        const QString folder = dir_.filePath("sanity-photos");
        QVERIFY(QDir().mkpath(folder));
        for (int i = 0; i < 3; ++i)
            loupe::saveImage(loupe::test::noiseImage(40, 36, std::uint64_t(i + 1)),
                (folder + QString("/p%1.png").arg(i)).toStdString());
        QFile broken(folder + "/broken.png");
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a png");
        broken.close();
        const QString out = dir_.filePath("sanity-out");
        const Run r = runCli({"sanity", "--model", model_, "--images", folder, "--methods",
            "saliency,guided", "--out", out, "--no-cache", "--quiet"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("\"randomised_spearman\"") && r.out.contains("broken.png"),
            r.out.constData());
        QFile csv(out + "/sanity.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QString table = QString::fromUtf8(csv.readAll());
        QVERIFY2(table.contains("saliency,\"Saliency\",deletion_auc,") &&
                table.contains("guided,\"Guided backprop\",randomised_spearman,"),
            qPrintable(table));
        QVERIFY(QFileInfo(out + "/sanity.png").size() > 0);
        QFile cascade(out + "/sanity-cascade.csv");
        QVERIFY(cascade.open(QIODevice::ReadOnly));
        QCOMPARE(cascade.readAll().count('\n'), 1 + 3 * 2 * 3);  // images x methods x blocks

        const Run one = runCli(
            {"attribute", "--model", model_, "--image", image_, "--method", "saliency", "--target",
                "class:1", "--metrics", "--sanity", "--box", "0,0,16,16", "--no-cache"});
        QCOMPARE(one.exitCode, 0);
        QVERIFY2(one.out.contains("\"deletion\"") && one.out.contains("\"cascade\"") &&
                one.out.contains("\"energy_inside\""),
            one.out.constData());
    }

    // dissect over a synthetic set (rendered on first use) and a folder with colours: JSON, CSVs
    // and the figure; lime and explain print their numbers.
    void dissectLimeAndExplain()
    {
        const QString synthetic = dir_.filePath("synthetic-set");
        const QString out = dir_.filePath("dissect-out");
        const Run d =
            runCli({"dissect", "--model", model_, "--synthetic", synthetic, "--count", "12",
                "--size", "32", "--layers", "conv1,block", "--out", out, "--no-cache", "--quiet"});
        QVERIFY2(d.exitCode == 0, qPrintable(d.err));
        const QJsonObject doc = QJsonDocument::fromJson(d.out).object();
        QCOMPARE(doc["layers"].toArray().size(), 2);
        QCOMPARE(doc["layers"].toArray()[1].toObject()["layer"].toString(), QString("block"));
        QCOMPARE(doc["layers"].toArray()[0].toObject()["images"].toInt(), 12);
        QCOMPARE(doc["concepts"].toInt(), 6);
        QVERIFY(QFileInfo(out + "/detectors.png").size() > 0);
        QFile units(out + "/units-block.csv");
        QVERIFY(units.open(QIODevice::ReadOnly));
        QCOMPARE(units.readAll().count('\n'), 1 + 8);
        const Run colours = runCli({"dissect", "--model", model_, "--images", dir_.path(),
            "--layer", "block", "--no-cache", "--quiet"});
        QVERIFY2(colours.exitCode == 0, qPrintable(colours.err));
        QVERIFY(colours.out.contains("\"colour\""));

        const Run l = runCli({"lime", "--model", model_, "--image", image_, "--class", "two",
            "--samples", "64", "--superpixels", "8", "--quiet"});
        QVERIFY2(l.exitCode == 0, qPrintable(l.err));
        const QJsonObject lime = QJsonDocument::fromJson(l.out).object();
        QCOMPARE(lime["target"].toString(), QString("class:2"));
        QCOMPARE(lime["samples"].toInt(), 64);
        QVERIFY(lime["superpixels"].toInt() >= 2);

        const Run e = runCli({"explain", "--model", model_, "--image", image_, "--layer", "pool",
            "--class", "one", "--versus", "zero"});
        QVERIFY2(e.exitCode == 0, qPrintable(e.err));
        const QJsonObject why = QJsonDocument::fromJson(e.out).object();
        QVERIFY(why["linear_path"].toBool());
        QVERIFY(std::abs(why["explained"].toDouble() -
                    (why["logit"].toDouble() - why["bias_path"].toDouble())) < 1e-4);
        const Run bad = runCli({"explain", "--model", model_, "--image", image_, "--layer", "pool",
            "--class", "nonsense"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("no class is called"), qPrintable(bad.err));
    }

    // curves, trace, ablate (saved model reopens with its edits) and timeline, with their files.
    void curveDetectorCommands()
    {
        const QString strokes =
            QString::fromStdString(loupe::test::writeStrokeDetector(dir_.path().toStdString()));
        const QString figure = dir_.filePath("curves.png");
        const Run c = runCli({"curves", "--model", strokes, "--family", "conv1:0,1", "--image",
            image_ + "," + image_, "--out", figure, "--no-cache", "--quiet"});
        QVERIFY2(c.exitCode == 0, qPrintable(c.err));
        QCOMPARE(QJsonDocument::fromJson(c.out).object()["images"].toArray().size(), 2);
        QVERIFY(QFileInfo(figure).size() > 0);
        const Run b = runCli({"curves", "--model", strokes, "--family", "conv1:0,1", "--benchmark",
            "--scenes", "2", "--combed", "1", "--field", "24", "--no-cache", "--quiet"});
        QVERIFY2(b.exitCode == 0, qPrintable(b.err));
        QVERIFY(
            QJsonDocument::fromJson(b.out).object()["family_map"].toObject()["f1"].toDouble() > 0);

        const QString svg = dir_.filePath("strokes.svg");
        const Run t = runCli({"trace", "--model", strokes, "--family", "conv1:0,1", "--image",
            image_, "--strokes", "1", "--steps", "40", "--svg", svg, "--json",
            dir_.filePath("strokes.json"), "--no-cache", "--quiet"});
        QVERIFY2(t.exitCode == 0, qPrintable(t.err));
        QVERIFY(
            QFileInfo(svg).size() > 0 && QFileInfo(dir_.filePath("strokes-photo.png")).size() > 0);

        const QString edited = dir_.filePath("edited.pt");
        const Run a = runCli({"ablate", "--model", model_, "--zero", "block:1,6", "--image", image_,
            "--save", edited, "--no-cache", "--quiet"});
        QVERIFY2(a.exitCode == 0, qPrintable(a.err));
        const QJsonObject ablated = QJsonDocument::fromJson(a.out).object();
        QCOMPARE(ablated["changed_parameters"].toArray().size(), 4);
        QCOMPARE(ablated["top5_after"].toArray().size(), 3);
        const Run reopened = runCli({"info", "--model", edited});
        QVERIFY2(reopened.exitCode == 0, qPrintable(reopened.err));
        const Run overwrite = runCli({"ablate", "--model", model_, "--zero", "block:1", "--save",
            model_, "--no-cache", "--quiet"});
        QCOMPARE(overwrite.exitCode, 1);
        QVERIFY2(overwrite.err.contains("never overwritten"), qPrintable(overwrite.err));

        const QString checkpoints = dir_.filePath("checkpoints");
        QVERIFY(QDir().mkpath(checkpoints));
        QVERIFY(QFile::copy(model_, checkpoints + "/step-10.pt"));
        QVERIFY(QFile::copy(edited, checkpoints + "/step-20.pt"));
        const Run tl = runCli({"timeline", "--checkpoints", checkpoints, "--unit", "block:6",
            "--steps", "4", "--size", "32", "--sweep", "orientation=0:360:90", "--out",
            dir_.filePath("timeline.png"), "--no-cache", "--quiet"});
        QVERIFY2(tl.exitCode == 0, qPrintable(tl.err));
        const QJsonArray frames = QJsonDocument::fromJson(tl.out).object()["frames"].toArray();
        QCOMPARE(frames.size(), 2);
        QCOMPARE(frames[1].toObject()["peak"].toDouble(), 0.0);  // the ablated unit never fires
        QVERIFY(QFileInfo(dir_.filePath("timeline.png")).size() > 0);
    }

    // concepts collect -> train -> info -> top, each printing what it did.
    void conceptsCollectTrainAndShowTheirTopVectors()
    {
        const QString folder = dir_.filePath("concept-photos");
        QVERIFY(QDir().mkpath(folder));
        for (int i = 0; i < 4; ++i)
            loupe::saveImage(loupe::test::noiseImage(36, 36, std::uint64_t(i + 7)),
                (folder + QString("/c%1.png").arg(i)).toStdString());
        const QString store = dir_.filePath("concept-store");
        const Run c = runCli({"concepts", "collect", "--model", model_, "--images", folder,
            "--layer", "block", "--store", store, "--quiet", "--no-cache"});
        QCOMPARE(c.exitCode, 0);
        const QJsonObject collected = QJsonDocument::fromJson(c.out).object();
        QCOMPARE(collected.value("dimensions").toInt(), 8);
        QVERIFY(collected.value("vectors").toInt() >= 4);
        const QString dictionary = dir_.filePath("concepts.bin");
        const Run t = runCli({"concepts", "train", "--store", store, "--atoms", "16", "--k", "2",
            "--steps", "50", "--batch", "64", "--seeds", "2", "--out", dictionary, "--quiet"});
        QCOMPARE(t.exitCode, 0);
        const QJsonObject trained = QJsonDocument::fromJson(t.out).object();
        QVERIFY2(
            trained.value("quality").toObject().contains("explained_variance"), t.out.constData());
        QVERIFY(trained.contains("stability"));
        const Run i = runCli({"concepts", "info", "--store", store, "--dictionary", dictionary});
        QCOMPARE(i.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(i.out).object().value("atoms").toInt(), 16);
        const Run top = runCli({"concepts", "top", "--store", store, "--dictionary", dictionary,
            "--concept", "3", "--k", "4"});
        QCOMPARE(top.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(top.out).object().value("top").toArray().size(), 4);
        const Run bad =
            runCli({"concepts", "info", "--store", store, "--dictionary", store + "/store.json"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("not a concept dictionary"), qPrintable(bad.err));
        // With --model: the agreement of the model with the layer replaced.
        const Run agreement = runCli({"concepts", "info", "--store", store, "--dictionary",
            dictionary, "--model", model_, "--quiet", "--no-cache"});
        QCOMPARE(agreement.exitCode, 0);
        const QJsonObject replaced =
            QJsonDocument::fromJson(agreement.out).object().value("replacement").toObject();
        QCOMPARE(replaced.value("images").toInt(), 4);
        QVERIFY(replaced.contains("top1_agreement") && replaced.contains("loss_recovered"));

        // Without --store, into the model's workspace (where the Concepts dock reads it).
        const QString workspace = dir_.filePath("concepts-workspace.sqlite");
        const Run inWorkspace = runCli({"concepts", "collect", "--model", model_, "--images",
            folder, "--layer", "block", "--workspace", workspace, "--quiet"});
        QCOMPARE(inWorkspace.exitCode, 0);
        QVERIFY(QDir(workspace + ".concepts/block").exists());
        const Run trainedThere = runCli(
            {"concepts", "train", "--model", model_, "--layer", "block", "--workspace", workspace,
                "--atoms", "16", "--k", "2", "--steps", "50", "--batch", "64", "--quiet"});
        QCOMPARE(trainedThere.exitCode, 0);
        const QJsonObject there = QJsonDocument::fromJson(trainedThere.out).object();
        QVERIFY2(there.contains("replacement") && there.value("workspace").toString() == workspace,
            trainedThere.out.constData());
    }

    void badInputExitsNonZeroWithOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing model") << QStringList{"info"} << "missing --model";
        QTest::newRow("no such model")
            << QStringList{"info", "--model", "/nonexistent.pt"} << "does not exist";
        QTest::newRow("unknown layer")
            << QStringList{"activations", "--model", "@model", "--image", "@model", "--layer", "x"}
            << "not a readable image";
        QTest::newRow("typo") << QStringList{"info", "--modle", "x"} << "unknown option --modle";
        const QStringList scan{"scan", "--model", "@model", "--images", "@dir", "--layers", "block",
            "--workspace", "@dir/ws.sqlite"};
        QTest::newRow("scan k negative")
            << scan + QStringList{"--k", "-3"} << "--k must be at least 1";
        QTest::newRow("scan k zero") << scan + QStringList{"--k", "0"} << "--k must be at least 1";
        QTest::newRow("scan batch zero")
            << scan + QStringList{"--batch", "0"} << "--batch must be at least 1";
        const QStringList dictionary{
            "dictionary", "--model", "@model", "--image", "@image", "--layer", "block"};
        QTest::newRow("dictionary at nan")
            << dictionary + QStringList{"--at", "nan,nan"} << "--at expects two finite numbers";
        QTest::newRow("dictionary at huge")
            << dictionary + QStringList{"--at", "1e308,5"} << "lies outside the image";
        QTest::newRow("dictionary k negative")
            << dictionary + QStringList{"--at", "24,20", "--k", "-1"} << "--k must be at least 1";
        QTest::newRow("tile zero")
            << QStringList{"activations", "--model", "@model", "--image", "@image", "--layer",
                   "block", "--out", "@dir/g.png", "--tile", "0"}
            << "--tile must be at least 4";
        QTest::newRow("unknown fill")
            << QStringList{"attribute", "--model", "@model", "--image", "@image", "--method",
                   "occlusion", "--target", "class:0", "--fill", "purple"}
            << "unknown fill 'purple'";
        QTest::newRow("noise not finite")
            << QStringList{"attribute", "--model", "@model", "--image", "@image", "--method",
                   "smoothgrad", "--target", "class:0", "--noise", "inf"}
            << "--noise expects a finite number";
        // One decoder policy: a truncated JPEG is refused here as the scan refuses it.
        const QStringList cut{"--model", "@model", "--image", "@dir/truncated.jpg"};
        QTest::newRow("truncated JPEG, activations") << QStringList{"activations"} + cut +
                QStringList{"--layer", "block"} << "truncated JPEG";
        QTest::newRow("truncated JPEG, attribute") << QStringList{"attribute"} + cut +
                QStringList{"--method", "saliency", "--target", "class:0"}
                                                   << "truncated JPEG";
        QTest::newRow("truncated JPEG, dictionary")
            << QStringList{"dictionary"} + cut + QStringList{"--layer", "block", "--at", "3,3"}
            << "truncated JPEG";
        QTest::newRow("unknown command") << QStringList{"frobnicate"} << "unknown command";
        const QStringList attack{"adversarial", "--model", "@model", "--image", "@image"};
        QTest::newRow("epsilon zero")
            << attack + QStringList{"--epsilon", "0"} << "epsilon must be above 0";
        QTest::newRow("epsilon negative")
            << attack + QStringList{"--epsilon", "-3"} << "epsilon must be above 0";
        QTest::newRow("target out of range")
            << attack + QStringList{"--target", "3"} << "target class 3 is out of range";
        QTest::newRow("unknown attack")
            << attack + QStringList{"--method", "cw"} << "unknown attack 'cw'";
        QTest::newRow("fooling class out of range")
            << QStringList{"adversarial", "--model", "@model", "--fooling", "9"}
            << "class 9 is out of range";
        QTest::newRow("style layer without space")
            << QStringList{"style", "--model", "@model", "--content", "@image", "--style", "@image",
                   "--content-layer", "conv1", "--style-layers", "head", "--steps", "2"}
            << "has no spatial output";
        QTest::newRow("dream octaves too small")
            << QStringList{"dream", "--model", "@model", "--image", "@image", "--objective",
                   "layer:block", "--octaves", "5", "--octave-scale", "2"}
            << "the smallest octave would be";
        QTest::newRow("unknown degradation")
            << QStringList{"degrade", "--model", "@model", "--images", "@dir", "--kinds", "blur"}
            << "unknown degradation 'blur'";
        QTest::newRow("no labelled photos") << QStringList{"shape-bias", "--model", "@model",
                                                   "--images", "@dir/empty", "--pairs", "2"}
                                            << "no pair of labelled photos";
    }
    void badInputExitsNonZeroWithOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        args.replaceInStrings("@model", model_);
        args.replaceInStrings("@image", image_);
        args.replaceInStrings("@dir", dir_.path());
        const Run r = runCli(args);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QVERIFY2(!r.err.contains('\n'), qPrintable(r.err));
    }

private:
    QTemporaryDir dir_;
    QString image_;
    QString model_;
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
