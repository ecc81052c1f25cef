#include "core/dataset_scan.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/model.h"
#include "core/stimulus.h"
#include "core/synthetic_shapes.h"
#include "core/tuning.h"
#include "core/unit_family.h"
#include "core/workspace.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace loupe;

namespace {

constexpr double kPreferred = 60;  // the test model's channel 0; channel 1 prefers 150

double meanAbsoluteDifference(const RgbImage& a, const RgbImage& b)
{
    double sum = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i)
        sum += std::abs(int(a.pixels[i]) - int(b.pixels[i]));
    return sum / double(a.pixels.size());
}

// Circular distance in degrees.
double angularDistance(double a, double b)
{
    const double d = std::fmod(std::abs(a - b), 360.0);
    return std::min(d, 360 - d);
}

template <typename Curve> double argmaxAngle(const std::vector<double>& angles, const Curve& values)
{
    size_t best = 0;
    for (size_t i = 1; i < angles.size(); ++i)
        if (values[i] > values[best])
            best = i;
    return angles[best];
}

struct DarkPixels {
    int count = 0;
    double meanX = 0, meanY = 0, maxDistance = 0;
};
DarkPixels darkPixels(const RgbImage& image, double cx, double cy)
{
    DarkPixels d;
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            if (image.pixel(x, y)[0] < 128) {
                ++d.count;
                d.meanX += x;
                d.meanY += y;
                d.maxDistance = std::max(d.maxDistance, std::hypot(x - cx, y - cy));
            }
    if (d.count) {
        d.meanX /= d.count;
        d.meanY /= d.count;
    }
    return d;
}

}  // namespace

class TestTuning : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        model_ = Model::load(
            test::writeCurveDetector(dir_.path().toStdString(), kPreferred), DevicePreference::Cpu);
        workspace_ = Workspace::open(dir_.filePath("ws.sqlite").toStdString(), model_->hash());
    }

    void rotatingACurveEqualsTurningItsOrientation()
    {
        Stimulus s;
        s.width = 0.08;
        const int size = 96;
        const double c = 48, field = 48;
        for (const auto& [theta, phi] :
            {std::pair{20.0, 70.0}, std::pair{200.0, 45.0}, std::pair{0.0, 135.0}}) {
            for (auto kind : {StimulusKind::Curve, StimulusKind::Angle, StimulusKind::Combed}) {
                s.kind = kind;
                s.orientation = theta;
                const RgbImage rotated =
                    rotateImage(renderStimulus(s, size, c, c, field), phi, c, c);
                s.orientation = theta + phi;
                const RgbImage direct = renderStimulus(s, size, c, c, field);
                s.orientation = theta;
                const RgbImage unturned = renderStimulus(s, size, c, c, field);
                const double error = meanAbsoluteDifference(rotated, direct);
                QVERIFY2(error < 2.0,
                    qPrintable(QString("%1 at %2+%3: mean |difference| %4")
                                   .arg(stimulusKindName(kind))
                                   .arg(theta)
                                   .arg(phi)
                                   .arg(error)));
                // ...and the comparison can tell orientations apart.
                QVERIFY(meanAbsoluteDifference(unturned, direct) > 4 * error + 1.0);
            }
        }
    }

    void stimuliAreCentredAndSizedByTheField()
    {
        Stimulus s;  // curve, orientation 0: the apex points right, the arc bends back left
        s.width = 0.08;
        for (const double field : {20.0, 40.0}) {
            const RgbImage image = renderStimulus(s, 100, 37, 61, field);
            const DarkPixels d = darkPixels(image, 37, 61);
            QVERIFY(d.count > 0);
            QVERIFY(image.pixel(37, 61)[0] < 100);  // the apex is at the centre
            QVERIFY(d.maxDistance <= 0.5 * field);  // it stays within the field
            QVERIFY(d.maxDistance >= 0.3 * field);  // and scales with it
            QVERIFY(d.meanX < 37 - 0.02 * field);  // it bends back from the apex
            QVERIFY(std::abs(d.meanY - 61) < 1.0);  // symmetric about its normal
        }
        s.kind = StimulusKind::Line;  // orientation 0: a vertical segment
        const DarkPixels line = darkPixels(renderStimulus(s, 100, 50, 50, 40), 50, 50);
        QVERIFY(std::abs(line.meanX - 50) < 0.5 && line.maxDistance > 14);

        s.kind = StimulusKind::Angle;  // rounding moves the drawn corner back from the vertex
        s.rounding = 0;
        QVERIFY(renderStimulus(s, 100, 50, 50, 40).pixel(50, 50)[0] < 100);
        s.rounding = 1;
        QVERIFY(renderStimulus(s, 100, 50, 50, 40).pixel(50, 50)[0] > 200);

        s = Stimulus{};
        s.kind = StimulusKind::Grating;  // orientation 0, no envelope: stripes are columns
        s.envelope = 0;
        const RgbImage grating = renderStimulus(s, 64, 32, 32, 32);
        int columnChanges = 0;
        for (int y = 1; y < 64; ++y)
            QCOMPARE(grating.pixel(10, y)[0], grating.pixel(10, 0)[0]);
        for (int x = 1; x < 64; ++x)
            columnChanges += grating.pixel(x, 0)[0] != grating.pixel(x - 1, 0)[0];
        QVERIFY(columnChanges > 20);
    }

    void sweepAxesParse()
    {
        QCOMPARE(parseSweepAxis("orientation=0:360:5").values.size(), size_t(72));
        QCOMPARE(parseSweepAxis("curvature=0:4:0.25").values.size(), size_t(17));
        QCOMPARE(parseSweepAxis("width=0.1").values.size(), size_t(1));
        Stimulus s;
        setStimulusParameter(s, "radius", 0.25);  // the spelling of curvature
        QCOMPARE(s.curvature, 4.0);
        QCOMPARE(parseSweepAxis("radius=0.25:1:0.25").values.size(), size_t(4));
        QVERIFY_THROWS_EXCEPTION(Error, setStimulusParameter(s, "radius", 0));
        QCOMPARE(parseSweep("orientation=0:360:10,curvature=1:3:1").size(), size_t(2));
        QVERIFY_THROWS_EXCEPTION(Error, parseSweepAxis("colour=0:1:1"));
        QVERIFY_THROWS_EXCEPTION(Error, parseSweepAxis("orientation=0:360"));
        QVERIFY_THROWS_EXCEPTION(Error, parseSweepAxis("orientation=10:0:5"));
        QVERIFY_THROWS_EXCEPTION(Error, parseSweep("orientation=0:90:5,orientation=0:10:5"));
    }

    void sweepPeaksAtTheBuiltInOrientation()
    {
        SweepConfig config;
        config.base.width = 0.12;
        config.axes = parseSweep("orientation=0:360:5,curvature=1:3:0.5");
        config.target = {"conv1", {0, 1}};
        Progress progress;
        const SweepResult sweep = cachedSweep(*model_, *workspace_, config, progress);
        QCOMPARE(sweep.stimuli(), 72 * 5);
        QCOMPARE(sweep.field.size, 15);
        const RadialTuning radial = radialTuning(sweep);
        QVERIFY2(angularDistance(radial.preferred[0], kPreferred) <= 5,
            qPrintable(QString::number(radial.preferred[0])));
        QVERIFY2(angularDistance(radial.preferred[1], kPreferred + 90) <= 5,
            qPrintable(QString::number(radial.preferred[1])));
        // The strongest stimulus is the detector's own curve: orientation and curvature 2.
        const auto best = sweep.parametersOf(sweep.strongest(0, 1).front());
        QVERIFY(angularDistance(best[0], kPreferred) <= 5);
        QVERIFY(std::abs(best[1] - 2) <= 0.5);
        // Cached: the second request reads the workspace and gives the same numbers.
        QCOMPARE(workspace_->count("tuning"), 1);
        const SweepResult again = cachedSweep(*model_, *workspace_, config, progress);
        QCOMPARE(workspace_->count("tuning"), 1);
        QVERIFY(again.responses == sweep.responses);
    }

    void invarianceSeparatesContrastFromWidth()
    {
        SweepConfig config;
        config.base.width = 0.12;
        config.axes = parseSweep("orientation=0:360:15");
        config.target = {"conv1", {0}};
        Progress progress;
        const auto variants =
            invarianceCheck(*model_, nullptr, config, ReceptiveField{15, 1, 0}, progress);
        QCOMPARE(variants.size(), size_t(6));
        QCOMPARE(variants[0].correlation, 1.0);
        // A dark-arc detector barely answers a white arc; a thicker dark arc still peaks where it did.
        const auto& inverted = variants[1];
        QCOMPARE(QString::fromStdString(inverted.name), QString("white on black"));
        QVERIFY2(inverted.peakRatio < 0.5, qPrintable(QString::number(inverted.peakRatio)));
        QVERIFY(variants[4].correlation > 0.8);
    }

    void rotatedTopExamplesPeakAtZeroAndTheFamilyFollows()
    {
        // A folder of curves at random orientations and places; the unit's top examples are
        // the ones near its orientation.
        QTemporaryDir images;
        SeededRandom rng(11);
        for (int i = 0; i < 120; ++i) {
            Stimulus s;
            s.width = 0.12;
            s.orientation = rng.uniform() * 360;
            const RgbImage image =
                renderStimulus(s, 48, 16 + rng.uniform() * 16, 16 + rng.uniform() * 16, 15);
            saveImage(image,
                images.filePath(QString("curve_%1.png").arg(i, 3, 10, QChar('0'))).toStdString());
        }
        ScanConfig scan;
        scan.folder = images.path().toStdString();
        scan.layers = {"conv1"};
        Progress progress;
        scanFolder(*model_, *workspace_, scan, progress);

        RotationConfig config;
        config.target = {"conv1", {0, 1}};
        config.examples = 6;
        config.stepDegrees = 5;
        const RotationTuning tuning = rotationTuning(*model_, *workspace_, config, progress);
        QCOMPARE(tuning.angles.size(), size_t(72));
        QCOMPARE(tuning.examples.size(), size_t(6));
        const double unitPeak = argmaxAngle(tuning.angles, tuning.mean[0]);
        QVERIFY2(angularDistance(unitPeak, 0) <= 10, qPrintable(QString::number(unitPeak)));
        QCOMPARE(argmaxAngle(tuning.angles, tuning.aligned[0]), 0.0);
        // Turning a 60-degree curve by +90 makes it the 150-degree detector's curve.
        const double familyPeak = argmaxAngle(tuning.angles, tuning.aligned[1]);
        QVERIFY2(angularDistance(familyPeak, 90) <= 15, qPrintable(QString::number(familyPeak)));
    }

    void familiesPersistAndParse()
    {
        const UnitFamily parsed = UnitFamily::parse("inception_3b:379,385,379,1");
        QCOMPARE(parsed.layer, std::string("inception_3b"));
        QCOMPARE(parsed.channels, (std::vector<int>{379, 385, 1}));
        UnitFamily family = parsed;
        family.name = "3b curves";
        saveFamily(*workspace_, family);
        QCOMPARE(loadFamily(*workspace_, "3b curves").channels, family.channels);
        QCOMPARE(familyFromText(workspace_.get(), "3b curves").layer, std::string("inception_3b"));
        QCOMPARE(familyNames(*workspace_), std::vector<std::string>{"3b curves"});
        QVERIFY_THROWS_EXCEPTION(Error, UnitFamily::parse("conv1:"));
        QVERIFY_THROWS_EXCEPTION(Error, UnitFamily::parse("conv1:a,b"));
        QVERIFY_THROWS_EXCEPTION(Error, loadFamily(*workspace_, "missing"));
    }

    void badTargetsAreExplained()
    {
        SweepConfig config;
        config.axes = parseSweep("orientation=0:90:45");
        config.target = {"conv1", {7}};
        Progress progress;
        QVERIFY_THROWS_EXCEPTION(
            Error, runSweep(*model_, config, ReceptiveField{15, 1, 0}, progress));
        config.target = {"head", {0}};
        QVERIFY_THROWS_EXCEPTION(
            Error, runSweep(*model_, config, ReceptiveField{15, 1, 0}, progress));
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> model_;
    std::unique_ptr<Workspace> workspace_;
};

QTEST_GUILESS_MAIN(TestTuning)
#include "test_tuning.moc"
