#include "core/activations.h"
#include "core/builtin_model.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/image_io.h"
#include "core/sample_images.h"
#include "core/model.h"
#include "core/synthetic_shapes.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace loupe;

namespace {

TrainingConfig tinyConfig()
{
    TrainingConfig c;
    c.imageSize = 32;
    c.steps = 400;
    c.batchSize = 32;
    c.testImages = 300;
    c.checkpoints = 4;
    c.learningRate = 4e-3;
    return c;
}

double pixelStdDev(const RgbImage& img)
{
    double sum = 0, sq = 0;
    for (auto v : img.pixels) {
        sum += v;
        sq += double(v) * v;
    }
    const double n = double(img.pixels.size());
    return std::sqrt(sq / n - (sum / n) * (sum / n));
}

}  // namespace

class TestBuiltinModel : public QObject {
    Q_OBJECT
private slots:
    void generatorIsDeterministicPerSeed()
    {
        for (int cls = 0; cls < kShapeClassCount; ++cls) {
            const auto a = renderShapeSample(ShapeClass(cls), 42, 64);
            const auto b = renderShapeSample(ShapeClass(cls), 42, 64);
            const auto c = renderShapeSample(ShapeClass(cls), 43, 64);
            QVERIFY(a.pixels == b.pixels);
            QVERIFY(a.pixels != c.pixels);
        }
        SeededRandom r1(7), r2(7);
        for (int i = 0; i < 100; ++i)
            QCOMPARE(r1.uniform(), r2.uniform());
    }

    void everyClassRendersAtTheRequestedSize_data()
    {
        QTest::addColumn<int>("size");
        QTest::newRow("32") << 32;
        QTest::newRow("64") << 64;
        QTest::newRow("97") << 97;
    }
    void everyClassRendersAtTheRequestedSize()
    {
        QFETCH(int, size);
        QCOMPARE(int(shapeClassNames().size()), kShapeClassCount);
        for (int cls = 0; cls < kShapeClassCount; ++cls) {
            for (std::uint64_t seed = 1; seed <= 5; ++seed) {
                const RgbImage img = renderShapeSample(ShapeClass(cls), seed, size);
                QCOMPARE(img.width, size);
                QCOMPARE(img.height, size);
                QCOMPARE(img.pixels.size(), size_t(size * size * 3));
                // A shape was drawn: the image is not a flat colour.
                QVERIFY2(pixelStdDev(img) > 8,
                    qPrintable(QString::fromStdString(shapeClassNames()[size_t(cls)])));
            }
        }
    }

    // The sample folder a fresh install scans: every class, readable images, written once.
    void sampleFolderHoldsEveryClassOnce()
    {
        QTemporaryDir dir;
        Progress progress;
        const std::string folder = dir.filePath("shapes").toStdString();
        QCOMPARE(writeShapeSampleFolder(folder, 2, 48, progress), 2 * kShapeClassCount);
        const auto files = listImages(folder);
        QCOMPARE(int(files.size()), 2 * kShapeClassCount);
        for (const auto& name : shapeClassNames())
            QVERIFY(std::count_if(files.begin(), files.end(),
                        [&](const std::string& f) { return f.rfind(name + "/", 0) == 0; }) == 2);
        const RgbImage first = loadImage(folder + "/" + files.front());
        QCOMPARE(first.width, 48);
        QVERIFY(
            loadImage(folder + "/" + files[0]).pixels != loadImage(folder + "/" + files[1]).pixels);
        QCOMPARE(writeShapeSampleFolder(folder, 2, 48, progress), 0);  // already there
        QCOMPARE(writeShapeSampleFolder(folder, 3, 48, progress),
            kShapeClassCount);  // only the new ones
    }

    void reducedTrainingLearnsAndWritesALoadableModel()
    {
        QTemporaryDir dir;
        Progress progress;
        const TrainingReport report =
            trainBuiltinModel(tinyConfig(), dir.path().toStdString(), progress);
        qInfo("held-out accuracy after %d steps: %.3f", tinyConfig().steps, report.testAccuracy);
        // Ten classes: chance is 10%.
        QVERIFY2(report.testAccuracy > 0.4, qPrintable(QString::number(report.testAccuracy)));
        QCOMPARE(report.checkpointPaths.size(), size_t(4));
        for (const auto& c : report.checkpointPaths)
            QVERIFY(QFile::exists(QString::fromStdString(c)));

        const auto model = Model::load(report.modelPath, DevicePreference::Cpu);
        QCOMPARE(model->metadata().labels, shapeClassNames());
        QCOMPARE(model->metadata().input.size, 32);
        QCOMPARE(model->metadata().input.mean[0], 0.5f);
        QCOMPARE(model->numClasses(), kShapeClassCount);
        QCOMPARE(model->layer("mixed3").shape, (std::vector<std::int64_t>{64, 8, 8}));
        QCOMPARE(model->layer("conv1.conv").type, std::string("Conv2d"));
        // Pre-ReLU values of the inception block are reachable, channel by channel.
        const auto pre =
            computeActivations(*model, renderShapeSample(ShapeClass::Arc, 5, 32), "mixed3", true);
        QVERIFY(*std::min_element(pre.values.begin(), pre.values.end()) < 0);
        QVERIFY(QDir(dir.path())
                    .entryList(QStringList{".training*"}, QDir::Dirs | QDir::Hidden)
                    .isEmpty());
    }

    void sameSeedSameWeights()
    {
        QTemporaryDir a, b;
        TrainingConfig config = tinyConfig();
        config.steps = 12;
        config.testImages = 20;
        Progress progress;
        const auto ra = trainBuiltinModel(config, a.path().toStdString(), progress);
        const auto rb = trainBuiltinModel(config, b.path().toStdString(), progress);
        const RgbImage probe = renderShapeSample(ShapeClass::Star, 9, 32);
        const auto ma = Model::load(ra.modelPath, DevicePreference::Cpu);
        const auto mb = Model::load(rb.modelPath, DevicePreference::Cpu);
        QVERIFY(computeActivations(*ma, probe, "conv4").values ==
            computeActivations(*mb, probe, "conv4").values);
        config.seed = 2;
        QTemporaryDir c;
        const auto mc =
            Model::load(trainBuiltinModel(config, c.path().toStdString(), progress).modelPath,
                DevicePreference::Cpu);
        QVERIFY(computeActivations(*ma, probe, "conv4").values !=
            computeActivations(*mc, probe, "conv4").values);
    }

    void cancellingLeavesNoModelFile()
    {
        QTemporaryDir dir;
        TrainingConfig config = tinyConfig();
        config.steps = 400;
        Progress* self = nullptr;
        Progress progress([&](double fraction, const std::string&) {
            if (fraction > 0.1 && self)
                self->cancel();
        });
        self = &progress;
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, trainBuiltinModel(config, dir.path().toStdString(), progress));
        const QStringList left =
            QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(", ")));
    }

    // An installed Loupe finds the copy its package trained (<prefix>/share/loupe/builtin
    // beside <prefix>/bin); a model the user trained since takes precedence; with neither, none.
    void packagedModelIsFoundBesideTheExecutableUnlessTheUserTrainedOne()
    {
        QTemporaryDir prefix, data;
        const std::string bin = prefix.filePath("bin").toStdString();
        const std::string dataDir = data.path().toStdString();
        QVERIFY(QDir().mkpath(QString::fromStdString(bin)));
        QCOMPARE(availableBuiltinModel(dataDir, bin), std::string());

        const std::string packaged = packagedBuiltinModelPath(bin);
        QCOMPARE(QString::fromStdString(packaged),
            prefix.filePath("share/loupe/builtin/loupe-shapes.pt"));
        QVERIFY(QDir().mkpath(prefix.filePath("share/loupe/builtin")));
        QVERIFY(QFile(QString::fromStdString(packaged)).open(QIODevice::WriteOnly));
        QCOMPARE(availableBuiltinModel(dataDir, bin), packaged);

        QVERIFY(QDir().mkpath(QString::fromStdString(builtinModelDirectory(dataDir))));
        QVERIFY(
            QFile(QString::fromStdString(builtinModelPath(dataDir))).open(QIODevice::WriteOnly));
        QCOMPARE(availableBuiltinModel(dataDir, bin), builtinModelPath(dataDir));
    }
};

QTEST_GUILESS_MAIN(TestBuiltinModel)
#include "test_builtin_model.moc"
