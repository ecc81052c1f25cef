// Real ImageNet models from ../shared/data (BVLC GoogLeNet, SqueezeNet; scripted and traced).
// Skips with a message when the folder is absent.

#include <torch/script.h>

#include "core/activations.h"
#include "core/image_io.h"
#include "core/torch/model_impl.h"
#include "core/tuning.h"
#include "tests/support/test_paths.h"

#include <QDir>
#include <QtTest>

using namespace loupe;

namespace {

QString modelPath(const QString& name)
{
    const QString dir = test::sharedDataDirectory();
    return dir.isEmpty() ? QString() : dir + "/models/" + name;
}

bool available(const QString& path)
{
    return !path.isEmpty() && QFile::exists(path);
}

}  // namespace

class TestSharedModels : public QObject {
    Q_OBJECT
private slots:
    void googlenetCapturesBlocksAndBranches_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("scripted") << "bvlc_googlenet.pt";
        QTest::newRow("traced") << "bvlc_googlenet.traced.pt";
    }
    void googlenetCapturesBlocksAndBranches()
    {
        QFETCH(QString, file);
        const QString path = modelPath(file);
        if (!available(path))  // QSKIP must be called from the test function itself
            QSKIP("../shared/data is absent: real-model integration tests skipped");
        const auto model = Model::load(path.toStdString(), DevicePreference::Cpu);
        QVERIFY(model->layers().size() > 100);
        QCOMPARE(model->numClasses(), 1000);
        QCOMPARE(model->layer("mixed3b").path, std::string("inception_3b"));
        QCOMPARE(model->layer("inception_3b").shape, (std::vector<std::int64_t>{480, 28, 28}));
        QCOMPARE(
            model->layer("inception_3b.b5x5.conv").shape, (std::vector<std::int64_t>{96, 28, 28}));

        // Pre-ReLU of the block, channel by channel, is the pre-ReLU of the branch conv that
        // produced it: the 5x5 branch holds channels 320..415 of inception_3b.
        auto& d = model->impl();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({1, 3, 224, 224}) * 50;
        const auto& plan = d.captures.plan(d.module,
            {{"inception_3b", true}, {"inception_3b.b5x5.conv"}, {"inception_3b"}}, false);
        const auto r = runCapture(d.module, plan, x);
        QCOMPARE(plan.partSources[0].size(), size_t(4));
        QCOMPARE(plan.partSources[0][2], std::string("inception_3b.b5x5.conv"));
        QVERIFY(torch::allclose(r.activations[0].slice(1, 320, 416), r.activations[1], 1e-4, 1e-4));
        QVERIFY((r.activations[1] < 0).any().item<bool>());
        QVERIFY(torch::allclose(r.activations[0].relu(), r.activations[2], 1e-4, 1e-4));
    }

    void photosAreClassifiedByTheirNames_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("minimumCorrect");
        QTest::newRow("googlenet") << "bvlc_googlenet.pt" << 5;
        QTest::newRow("googlenet traced") << "bvlc_googlenet.traced.pt" << 5;
        QTest::newRow("squeezenet") << "squeezenet1_1.pt" << 3;
        QTest::newRow("squeezenet traced") << "squeezenet1_1.traced.pt" << 3;
    }
    void photosAreClassifiedByTheirNames()
    {
        QFETCH(QString, file);
        QFETCH(int, minimumCorrect);
        const QString path = modelPath(file);
        if (!available(path))  // QSKIP must be called from the test function itself
            QSKIP("../shared/data is absent: real-model integration tests skipped");
        const auto model = Model::load(path.toStdString(), DevicePreference::Cpu);
        const QDir photos(test::sharedDataDirectory() + "/images/imagenet-sample");
        const QStringList names = {"n01443537_goldfish.JPEG", "n01531178_goldfinch.JPEG",
            "n02123045_tabby.JPEG", "n03028079_church.JPEG", "n07753592_banana.JPEG",
            "n09472597_volcano.JPEG"};
        int correct = 0;
        QStringList report;
        const std::string firstLayer = model->layers().front().path;
        for (const QString& name : names) {
            const auto acts = computeActivations(
                *model, loadImage(photos.filePath(name).toStdString()), firstLayer, false, 1);
            const QString expected = name.section('_', 1).section('.', 0, 0).toLower();
            const QString label = QString::fromStdString(acts.predictions.at(0).label).toLower();
            correct += label.contains(expected);
            report << name + " -> " + label;
        }
        QVERIFY2(correct >= minimumCorrect, qPrintable(report.join("; ")));
    }

    // Curve Detectors' units of mixed3b: whatever this Caffe GoogLeNet's channels detect, a
    // sweep over orientation x curvature centred on their receptive field must move them.
    void googlenetSweepIsNotFlat()
    {
        const QString path = modelPath("bvlc_googlenet.pt");
        if (!available(path))  // QSKIP must be called from the test function itself
            QSKIP("../shared/data is absent: real-model integration tests skipped");
        const auto model = Model::load(path.toStdString(), DevicePreference::Cpu);
        SweepConfig config;
        config.axes = parseSweep("orientation=0:360:30,curvature=0:4:2");
        config.target = {"inception_3b", {379, 385, 342, 388}};
        Progress progress;
        const SweepResult sweep =
            runSweep(*model, config, estimateReceptiveField(*model, "inception_3b"), progress);
        QCOMPARE(sweep.stimuli(), 12 * 3);
        QVERIFY(sweep.field.size > 40);  // mixed3b sees a large part of the 224-pixel input
        int moved = 0;
        for (int c = 0; c < sweep.channels(); ++c) {
            float lo = sweep.response(0, c), hi = lo;
            for (int i = 0; i < sweep.stimuli(); ++i) {
                lo = std::min(lo, sweep.response(i, c));
                hi = std::max(hi, sweep.response(i, c));
            }
            moved += hi - lo > 1e-3f * std::max(1.f, std::abs(hi));
        }
        QVERIFY2(moved >= 3, qPrintable(QString("%1 of 4 units respond to the sweep").arg(moved)));
    }
};

QTEST_GUILESS_MAIN(TestSharedModels)
#include "test_shared_models.moc"
