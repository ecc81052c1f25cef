// Curve Detectors, part II: circuit edits, curve extraction against known curve pixels,
// spline tracing of a rendered arc, and the training timeline over checkpoints.

#include "core/activations.h"
#include "core/circuit.h"
#include "core/curve_extraction.h"
#include "core/dataset_scan.h"
#include "core/edit_evaluation.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/model.h"
#include "core/model_edits.h"
#include "core/named_directions.h"
#include "core/attribution.h"
#include "core/spline_trace.h"
#include "core/stimulus.h"
#include "core/training_timeline.h"
#include "core/workspace.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <filesystem>

using namespace loupe;

namespace {

float maxDifference(const FloatMap& a, const FloatMap& b)
{
    float worst = 0;
    for (size_t i = 0; i < a.values.size(); ++i)
        worst = std::max(worst, std::abs(a.values[i] - b.values[i]));
    return worst;
}

EditList edits(const std::vector<std::string>& texts)
{
    EditList list;
    for (const auto& t : texts)
        list.add(ModelEdit::parse(t));
    return list;
}

// Mean distance from each point of `from` to the nearest point of `to`.
double meanNearest(const std::vector<Point2>& from, const std::vector<Point2>& to)
{
    double sum = 0;
    for (const auto& p : from) {
        double best = 1e9;
        for (const auto& q : to)
            best = std::min(best, std::hypot(p[0] - q[0], p[1] - q[1]));
        sum += best;
    }
    return sum / double(from.size());
}

}  // namespace

class CurveDetectorsTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string branchy_;
    RgbImage image_ = test::noiseImage(32, 32, 3);

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        branchy_ = test::writeBranchyCnn(dir_.path().toStdString());
    }

    void editTextRoundTrips()
    {
        for (const std::string text : {"zero block:6", "cut block.b2:0<-1", "mean block:2=0.37"})
            QCOMPARE(ModelEdit::parse(text).toString(), text);
        const EditList list = edits({"zero block:6", "cut block.b2:0<-1"});
        QVERIFY(EditList::fromJson(Json::parse(list.toJson().dump())).edits == list.edits);
        QVERIFY_THROWS_EXCEPTION(Error, ModelEdit::parse("zero block"));
        QVERIFY_THROWS_EXCEPTION(Error, ModelEdit::parse("cut block:1"));
        // Zero then mean of the same unit: the later edit replaces the earlier.
        EditList replaced = edits({"zero block:6", "mean block:6=0.5"});
        QCOMPARE(replaced.edits.size(), size_t(1));
        QCOMPARE(replaced.edits[0].kind, ModelEdit::Kind::MeanUnit);
    }

    void zeroedUnitsReadZeroAndNothingElseChanges()
    {
        auto model = Model::load(branchy_);
        const std::string before = model->weightsDigest();
        // Channel 1 comes from branch b1 (3 channels), channel 6 from branch b2.
        auto edited = applyEdits(*model, edits({"zero block:1", "zero block:6"}));
        QCOMPARE(model->weightsDigest(), before);  // the open model is never changed
        QVERIFY(edited->hash() != model->hash());

        const auto original = computeActivations(*model, image_, "block");
        const auto ablated = computeActivations(*edited, image_, "block");
        for (int c = 0; c < 8; ++c) {
            const FloatMap map = ablated.channelMap(c);
            if (c == 1 || c == 6)
                QVERIFY(std::all_of(
                    map.values.begin(), map.values.end(), [](float v) { return v == 0.f; }));
            else
                QCOMPARE(maxDifference(map, original.channelMap(c)), 0.f);
        }
        const std::vector<std::string> changed{"block.b1.conv.bias", "block.b1.conv.weight",
            "block.b2.conv.bias", "block.b2.conv.weight"};
        QCOMPARE(parametersThatDiffer(*model, *edited), changed);
        // Downstream of the block the model's answer changes.
        QVERIFY(std::abs(ablated.predictions[0].probability - original.predictions[0].probability) >
                1e-6f ||
            ablated.predictions[0].index != original.predictions[0].index);
    }

    void meanAblationHoldsTheValue()
    {
        auto model = Model::load(branchy_);
        auto edited = applyEdits(*model, edits({"mean block:2=0.37"}));
        const FloatMap map = computeActivations(*edited, image_, "block").channelMap(2);
        for (float v : map.values)
            QVERIFY(std::abs(v - 0.37f) < 1e-5f);
    }

    void meanFromTheScanIsTheChannelsMeanAfterRelu()
    {
        QTemporaryDir images;
        auto model = Model::load(branchy_);
        double sum = 0;
        int count = 0;
        for (int i = 0; i < 6; ++i) {
            const RgbImage image = test::noiseImage(32, 32, 100 + std::uint64_t(i));
            saveImage(image, images.filePath(QStringLiteral("n%1.png").arg(i)).toStdString());
            for (float v : computeActivations(*model, image, "block").channelMap(3).values) {
                sum += v;
                ++count;
            }
        }
        auto workspace = Workspace::open(
            dir_.filePath(QStringLiteral("scan.sqlite")).toStdString(), model->hash());
        ScanConfig scan;
        scan.folder = images.path().toStdString();
        scan.layers = {"block"};
        Progress progress;
        scanFolder(*model, *workspace, scan, progress);
        EditList list = edits({"mean block:3"});
        fillScanMeans(list, *workspace, *model);
        const double expected = sum / count;
        QVERIFY2(expected > 0.01, "the test needs a channel that fires");
        QVERIFY2(std::abs(list.edits[0].value - expected) < 0.03 * expected,
            qPrintable(QStringLiteral("%1 vs %2").arg(list.edits[0].value).arg(expected)));
        // A layer the scan did not cover is named.
        EditList other = edits({"mean conv1:0"});
        QVERIFY_THROWS_EXCEPTION(Error, fillScanMeans(other, *workspace, *model));
    }

    void cutWeightsRemoveOneKernel()
    {
        auto model = Model::load(branchy_);
        auto edited = applyEdits(*model, edits({"cut block.b2:0<-1"}));
        QCOMPARE(parametersThatDiffer(*model, *edited),
            std::vector<std::string>{"block.b2.conv.weight"});
        const CircuitResult circuit = circuitContributions(*edited, image_, "block.b2", 0, 5, 5, 4);
        bool found = false;
        for (const auto& c : circuit.contributions)
            if (c.inputChannel == 1) {
                found = true;
                QCOMPARE(c.contribution, 0.f);
            }
        QVERIFY(found);
    }

    void editsThatCannotBeMadeAreRefusedByName()
    {
        auto model = Model::load(branchy_);
        try {
            applyEdits(*model, edits({"zero pool:0"}));
            QFAIL("a pool's channel was ablated");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("pool") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, applyEdits(*model, edits({"zero block:8"})));
        QVERIFY_THROWS_EXCEPTION(Error, applyEdits(*model, edits({"cut block.b2:0<-9"})));
    }

    void savedEditedModelReopensWithTheSameOutputs()
    {
        auto model = Model::load(branchy_);
        const EditList list = edits({"zero block:6", "cut block.b2:1<-0", "mean block:0=0.2"});
        auto edited = applyEdits(*model, list);
        const std::string path = dir_.filePath(QStringLiteral("edited.pt")).toStdString();
        saveEditedModel(*edited, list, model->hash(), path);
        auto reopened = Model::load(path);
        QVERIFY(EditList::fromJson(reopened->metadata().edits).edits == list.edits);
        QCOMPARE(reopened->metadata().editedFrom, model->hash());
        QCOMPARE(reopened->metadata().name, model->metadata().name);
        const auto live = computeActivations(*edited, image_, "block");
        const auto saved = computeActivations(*reopened, image_, "block");
        for (int c = 0; c < 8; ++c)
            QVERIFY(maxDifference(live.channelMap(c), saved.channelMap(c)) < 1e-6f);
        for (size_t k = 0; k < live.predictions.size(); ++k) {
            QCOMPARE(saved.predictions[k].index, live.predictions[k].index);
            QVERIFY(std::abs(saved.predictions[k].probability - live.predictions[k].probability) <
                1e-6f);
        }
        // The model the edits were made on is never overwritten.
        QVERIFY_THROWS_EXCEPTION(Error, saveEditedModel(*edited, list, model->hash(), branchy_));
        QVERIFY_THROWS_EXCEPTION(
            Error, saveEditedModel(*edited, list, model->hash(), "/proc/no/such/place/edited.pt"));
    }

    void randomControlChannelsAvoidTheFamily()
    {
        const auto drawn = randomChannels(480, 10, {321, 326, 335}, 4);
        QCOMPARE(drawn.size(), size_t(10));
        QCOMPARE(drawn, randomChannels(480, 10, {321, 326, 335}, 4));
        for (int c : drawn)
            QVERIFY(c != 321 && c != 326 && c != 335 && c >= 0 && c < 480);
        QVERIFY_THROWS_EXCEPTION(Error, randomChannels(4, 3, {0, 1}, 1));
    }

    void pixelMatchingCountsWithinTolerance()
    {
        const int w = 40, h = 40;
        std::vector<std::uint8_t> truth(size_t(w * h), 0), shifted1(truth), shifted5(truth);
        for (int y = 5; y < 35; ++y) {
            truth[size_t(y * w + 20)] = 1;
            shifted1[size_t(y * w + 21)] = 1;
            shifted5[size_t(y * w + 25)] = 1;
        }
        QCOMPARE(matchPixels(truth, truth, w, h, 0).score(0).f1, 1.0);
        QCOMPARE(matchPixels(shifted1, truth, w, h, 0).score(0).f1, 0.0);
        QCOMPARE(matchPixels(shifted1, truth, w, h, 2).score(0).f1, 1.0);
        QCOMPARE(matchPixels(shifted5, truth, w, h, 2).score(0).f1, 0.0);
        // Half the prediction off the stroke: precision 1/2, recall 1.
        std::vector<std::uint8_t> half(truth);
        for (int y = 5; y < 35; ++y)
            half[size_t(y * w + 30)] = 1;
        const DetectionScore s = matchPixels(half, truth, w, h, 2).score(0);
        QCOMPARE(s.precision, 0.5);
        QCOMPARE(s.recall, 1.0);
    }

    void scenesKnowTheirCurvePixels()
    {
        CurveSceneConfig config;
        config.size = 96;
        config.fieldSize = 32;
        const CurveScene scene = renderCurveScene(config, 5);
        const auto dark = [&](const std::vector<std::uint8_t>& mask) {
            double sum = 0, n = 0;
            for (size_t i = 0; i < mask.size(); ++i)
                if (mask[i]) {
                    sum += scene.image.pixels[i * 3] + scene.image.pixels[i * 3 + 1] +
                        scene.image.pixels[i * 3 + 2];
                    n += 3;
                }
            return n > 0 ? sum / n : -1.0;
        };
        QVERIFY(std::count(scene.curves.begin(), scene.curves.end(), 1) > 50);
        QVERIFY(std::count(scene.lines.begin(), scene.lines.end(), 1) > 20);
        QVERIFY(dark(scene.curves) >= 0 && dark(scene.curves) < 70);  // ink, not texture (~120-200)
        QVERIFY(renderCurveScene(config, 5).image.pixels == scene.image.pixels);
        config.combed = true;
        const CurveScene combed = renderCurveScene(config, 6);
        QVERIFY(std::count(combed.ticks.begin(), combed.ticks.end(), 1) > 10);
    }

    void strokeFamilyMapFindsCurvePixels()
    {
        auto model = Model::load(test::writeStrokeDetector(dir_.path().toStdString()));
        CurveBenchmarkConfig config;
        config.map.layer = "conv1";
        config.map.channels = {0, 1};
        config.scene.fieldSize = 24;
        config.scene.lines = 0;  // curves over texture: every drawn stroke is a curve
        config.scenes = 6;
        config.combedScenes = 3;
        Progress progress;
        const CurveBenchmark result = benchmarkCurveExtraction(*model, config, progress);
        qInfo("stroke family F1 %.3f (P %.3f R %.3f at %.2f), Canny best %.3f, auto %.3f, combing "
              "%.2f / %.2f",
            result.family.f1, result.family.precision, result.family.recall,
            result.family.threshold, result.canny.f1, result.cannyAuto.f1, result.combingTicksToArc,
            result.combingTicksToBackground);
        QVERIFY(result.family.f1 > 0.6);
        QVERIFY(result.canny.f1 > 0.1);
        QVERIFY(
            result.combingTicksToBackground > 1.5);  // the map answers the ticks, not the texture
        QCOMPARE(result.familyF1ByThreshold.size(), size_t(49));

        // The same map on one scene, and its picture.
        const CurveScene scene = renderCurveScene(config.scene, 77);
        CurveSceneConfig sized = config.scene;
        sized.size = 64;
        const CurveScene small = renderCurveScene(sized, 77);
        const CurveMap map = familyCurveMap(*model, small.image, config.map, progress);
        QCOMPARE(map.width, 64);
        double on = 0, off = 0, nOn = 0, nOff = 0;
        for (size_t i = 0; i < map.strength.size(); ++i)
            (small.curves[i] ? on : off) += map.strength[i], (small.curves[i] ? nOn : nOff) += 1;
        QVERIFY(on / nOn > 3 * off / nOff);
        (void)scene;
    }

    void orientationColouringUsesOneHuePerUnit()
    {
        auto model = Model::load(test::writeStrokeDetector(dir_.path().toStdString()));
        CurveMapConfig config;
        config.layer = "conv1";
        config.channels = {0, 1};
        config.colourByOrientation = true;
        config.preferred = {0, 120};
        Progress progress;
        CurveSceneConfig scene;
        scene.size = 64;
        scene.fieldSize = 24;
        const CurveMap map =
            familyCurveMap(*model, renderCurveScene(scene, 3).image, config, progress);
        QCOMPARE(map.preferred, config.preferred);
        // Strong pixels are coloured (not grey), weak ones white.
        int coloured = 0;
        for (size_t i = 0; i < map.strength.size(); ++i) {
            const auto* p = &map.picture.pixels[i * 3];
            if (map.strength[i] > 0.8f &&
                std::max({p[0], p[1], p[2]}) - std::min({p[0], p[1], p[2]}) > 40)
                ++coloured;
            if (map.strength[i] == 0.f)
                QVERIFY(p[0] == 255 && p[1] == 255 && p[2] == 255);
        }
        QVERIFY(coloured > 10);
        config.preferred = {0};
        QVERIFY_THROWS_EXCEPTION(
            Error, familyCurveMap(*model, renderCurveScene(scene, 3).image, config, progress));
    }

    // The orientation hues turn continuously round the colour circle (0° and 360° the same
    // red), so neighbouring orientations get neighbouring colours; the ink key goes white to
    // black. These ramps are the keys drawn under the maps.
    void curveMapColoursAreContinuous()
    {
        const RgbImage hues = curveMapColourRamp(true, 360);
        int largestStep = 0;
        for (int i = 1; i < hues.width; ++i)
            for (int c = 0; c < 3; ++c)
                largestStep = std::max(largestStep,
                    std::abs(int(hues.pixels[size_t(i) * 3 + size_t(c)]) -
                        int(hues.pixels[size_t(i - 1) * 3 + size_t(c)])));
        QVERIFY2(largestStep <= 6, qPrintable(QString::number(largestStep)));
        for (int c = 0; c < 3; ++c)
            QCOMPARE(hues.pixels[size_t(c)], hues.pixels[size_t(hues.width - 1) * 3 + size_t(c)]);
        // Every sector is reached: pure-ish red, green and blue appear.
        for (int c = 0; c < 3; ++c) {
            bool reached = false;
            for (int i = 0; i < hues.width; ++i)
                reached = reached ||
                    (hues.pixels[size_t(i) * 3 + size_t(c)] > 200 &&
                        hues.pixels[size_t(i) * 3 + size_t((c + 1) % 3)] < 20 &&
                        hues.pixels[size_t(i) * 3 + size_t((c + 2) % 3)] < 20);
            QVERIFY(reached);
        }
        const RgbImage ink = curveMapColourRamp(false, 16);
        QCOMPARE(int(ink.pixels[0]), 255);
        QCOMPARE(int(ink.pixels[size_t(15) * 3]), 0);
    }

    void autoCannyUsesTheMedian()
    {
        RgbImage image(64, 64);
        std::fill(image.pixels.begin(), image.pixels.end(), std::uint8_t(150));
        for (int y = 20; y < 44; ++y)
            for (int x = 20; x < 44; ++x)
                for (int c = 0; c < 3; ++c)
                    image.pixel(x, y)[c] = 30;
        const CannyEdges edges = cannyEdges(image);
        QVERIFY(std::abs(edges.low - 0.66 * 150) < 1.0 && std::abs(edges.high - 1.33 * 150) < 1.5);
        int onBorder = 0, elsewhere = 0;
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x) {
                const bool border = (x >= 18 && x <= 45 && y >= 18 && y <= 45) &&
                    !(x >= 22 && x <= 41 && y >= 22 && y <= 41);
                (border ? onBorder : elsewhere) += edges.edges[size_t(y * 64 + x)];
            }
        QVERIFY(onBorder > 60);
        QCOMPARE(elsewhere, 0);
        QVERIFY_THROWS_EXCEPTION(Error, cannyEdges(image, {200, 100}));
    }

    void tracedSplineLandsOnARenderedArc()
    {
        const int size = 96;
        Stimulus arc;
        arc.kind = StimulusKind::Curve;
        arc.orientation = 30;
        arc.curvature = 2.5;
        arc.length = 1.0;
        arc.width = 0.06;
        const RgbImage drawn = renderStimulus(arc, size, 48, 48, 48);
        FloatMap field;
        field.width = field.height = size;
        std::vector<Point2> truth;
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const float ink = 1.f - drawn.pixel(x, y)[0] / 255.f;
                field.values.push_back(ink);
                if (ink >= 0.5f)
                    truth.push_back({double(x), double(y)});
            }
        QVERIFY(truth.size() > 60);
        TraceConfig config;
        config.strokes = 1;
        config.controlPoints = 6;
        Progress progress;
        const auto strokes = traceSplines(field, nullptr, config, progress);
        QCOMPARE(strokes.size(), size_t(1));
        const auto samples = strokes[0].samples(16);
        const double onArc = meanNearest(samples, truth);
        const double covers = meanNearest(truth, samples);
        qInfo("spline to arc %.2f px, arc to spline %.2f px, length %.1f px", onArc, covers,
            strokes[0].length());
        QVERIFY(onArc < 2.0);
        QVERIFY(covers < 2.0);

        // Export: one Bézier per span of the tripled-end B-spline, starting at the first point.
        const std::string path = strokes[0].svgPath();
        QCOMPARE(
            std::count(path.begin(), path.end(), 'C'), std::ptrdiff_t(config.controlPoints + 1));
        QVERIFY(path.rfind("M ", 0) == 0);
        const Json json = strokesJson(strokes, size, size);
        QCOMPARE(json["strokes"].toArray().at(0)["control_points"].toArray().size(), size_t(6));
        QVERIFY(
            strokesSvg(strokes, size, size, "photo.png").find("<path d=\"M ") != std::string::npos);
        const FloatMap rendered = renderStrokes(strokes, size, size);
        double inkUnder = 0, n = 0;
        for (size_t i = 0; i < rendered.values.size(); ++i)
            if (rendered.values[i] > 0.5f) {
                inkUnder += field.values[i];
                n += 1;
            }
        QVERIFY(n > 0 && inkUnder / n > 0.5);
    }

    void thePenaltyKeepsStrokesOffItsRegion()
    {
        // Two equal vertical ridges; the penalty covers the left one, so the stroke takes the right.
        const int size = 64;
        FloatMap field, penalty;
        field.width = field.height = penalty.width = penalty.height = size;
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const bool ridge =
                    y > 10 && y < 54 && (std::abs(x - 20) <= 1 || std::abs(x - 44) <= 1);
                // The left ridge a little brighter: without the penalty it would be chosen.
                field.values.push_back(ridge ? (x < 32 ? 1.f : 0.9f) : 0.f);
                penalty.values.push_back(x < 32 ? 1.f : 0.f);
            }
        TraceConfig config;
        Progress progress;
        const auto free = traceSplines(field, nullptr, config, progress);
        const auto kept = traceSplines(field, &penalty, config, progress);
        const auto meanX = [](const SplineStroke& s) {
            double sum = 0;
            const auto points = s.samples(8);
            for (const auto& p : points)
                sum += p[0];
            return sum / double(points.size());
        };
        QVERIFY(std::abs(meanX(free[0]) - 20) < 3);
        QVERIFY(std::abs(meanX(kept[0]) - 44) < 3);
    }

    void penaltyTargetsIncludeSavedDirections()
    {
        auto model = Model::load(branchy_);
        auto workspace = Workspace::open(
            dir_.filePath(QStringLiteral("penalty.sqlite")).toStdString(), model->hash());
        saveDirection(*workspace, {"stripes", "block", {1, 0, 0, 0, 0, 0, 0, -1}});
        const AttributionTarget saved = strokePenaltyTarget("direction:stripes", workspace.get());
        QCOMPARE(saved.kind, AttributionTarget::Kind::Concept);
        QCOMPARE(saved.layer, std::string("block"));
        QCOMPARE(saved.direction.back(), -1.f);
        QCOMPARE(strokePenaltyTarget("class:1", nullptr).kind, AttributionTarget::Kind::Logit);
        QVERIFY_THROWS_EXCEPTION(Error, strokePenaltyTarget("direction:nothing", workspace.get()));
        QVERIFY_THROWS_EXCEPTION(Error, strokePenaltyTarget("direction:stripes", nullptr));
        // The penalty map of the saved direction is a map over the input.
        Progress progress;
        const CurveMap map =
            targetMagnitudeMap(*model, image_, saved, CurveMapMethod::GuidedBackprop, progress);
        QCOMPARE(map.width, 32);
    }

    void timelineReadsEveryCheckpointInOrder()
    {
        QTemporaryDir folder;
        namespace fs = std::filesystem;
        const std::string base = folder.path().toStdString();
        const std::pair<const char*, int> steps[] = {
            {"step-00100", 2}, {"step-00020", 1}, {"step-00300", 3}};
        for (const auto& [name, seed] : steps) {
            QTemporaryDir scratch;
            fs::rename(test::writeBranchyCnn(scratch.path().toStdString(), true, seed),
                base + "/" + name + ".pt");
        }
        const auto checkpoints = listCheckpoints(base);
        QCOMPARE(checkpoints.size(), size_t(3));
        QCOMPARE(checkpoints[0].step, 20LL);
        QCOMPARE(checkpoints[2].step, 300LL);

        TimelineConfig config;
        config.layer = "conv1";
        config.channel = 1;
        config.featureVisSteps = 8;
        config.featureVisSize = 32;
        config.sweep = "orientation=0:360:45";
        QTemporaryDir data;
        config.dataDirectory = data.path().toStdString();
        Progress progress;
        int seen = 0;
        const auto frames =
            buildTimeline(checkpoints, config, progress, [&](const TimelineFrame&) { ++seen; });
        QCOMPARE(seen, 3);
        QCOMPARE(frames.size(), size_t(3));
        for (const auto& f : frames) {
            QVERIFY(!f.featureVis.empty());
            QVERIFY(!f.filter.empty());
            QCOMPARE(f.tuning.size(), size_t(8));
            QVERIFY(f.selectivity >= 0 && f.selectivity <= 1);
            QVERIFY(!f.fromCache);
        }
        QVERIFY(frames[0].featureVis.pixels != frames[1].featureVis.pixels);  // other weights
        QVERIFY(frames[0].modelHash != frames[1].modelHash);
        const auto again = buildTimeline(checkpoints, config, progress);
        QVERIFY(again[2].fromCache);
        QVERIFY(again[2].featureVis.pixels == frames[2].featureVis.pixels);
        const RgbImage figure = timelineFigure(frames, config);
        QVERIFY(figure.width > 3 * 128 && figure.height > 400);
        QVERIFY(timelineCsv(frames).find("step-00300,300,") != std::string::npos);

        // Another architecture among the checkpoints is refused by name, before any work.
        {
            QTemporaryDir scratch;
            fs::rename(
                test::writeFeatureExtractor(scratch.path().toStdString()), base + "/step-00400.pt");
        }
        try {
            buildTimeline(listCheckpoints(base), config, progress);
            QFAIL("a checkpoint of another architecture was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("step-00400") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, listCheckpoints(base + "/missing"));
    }
};

QTEST_GUILESS_MAIN(CurveDetectorsTest)
#include "test_curve_detectors.moc"
