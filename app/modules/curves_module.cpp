#include "app/modules/curves_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/saved_records.h"
#include "core/attribution.h"
#include "core/error.h"
#include "core/spline_trace.h"
#include "core/unit_family.h"
#include "widgets/curves_panel.h"
#include "widgets/colour_bar.h"
#include "widgets/qt_image.h"
#include "widgets/unit_selection.h"

namespace loupe::app {
namespace {

// The map's key: ink darkness is the family's strength (|gradient| over its 99.5th
// percentile), or, coloured, the hue says each unit's preferred orientation.
widgets::ColourScale curveMapScale(bool colourByOrientation)
{
    widgets::ColourScale scale;
    scale.ramp = widgets::toQImage(curveMapColourRamp(colourByOrientation));
    if (colourByOrientation) {
        scale.low = QStringLiteral("0°");
        scale.high = QStringLiteral("360°");
        scale.label = QObject::tr("hue: the unit's preferred orientation; depth: strength");
    } else {
        scale.low = QStringLiteral("0");
        scale.high = QStringLiteral("1");
        scale.label = QObject::tr("strength: |gradient| ÷ its 99.5th percentile");
    }
    return scale;
}

struct CurveRun {
    CurveMap map;
    CannyEdges edges;
};

struct TraceRun {
    CurveMap map;
    std::vector<SplineStroke> strokes;
    RgbImage drawn;
};

}  // namespace

CurvesModule::CurvesModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::CurvesPanel(context.panels))
{
    connect(panel_, &widgets::CurvesPanel::curveMapRequested, this, &CurvesModule::requestCurveMap);
    connect(panel_, &widgets::CurvesPanel::traceRequested, this, &CurvesModule::requestTrace);
    connect(
        panel_, &widgets::CurvesPanel::benchmarkRequested, this, &CurvesModule::requestBenchmark);
    connect(this, &CurvesModule::failed, panel_, &widgets::CurvesPanel::clearResult);
    connect(context.records, &SavedRecords::familiesChanged, this,
        [this](const QMap<QString, QString>& families) {
            families_ = families;
            panel_->setFamilies(families);
        });
    // Until the user types a family, the selected unit is one (a family of one).
    connect(context.panels.selection, &widgets::UnitSelection::unitChanged, this, [this] {
        auto* selection = this->context().panels.selection;
        if (panel_->family().isEmpty() && selection->channel() >= 0)
            panel_->setFamily(
                QStringLiteral("%1:%2").arg(selection->layer()).arg(selection->channel()));
    });
}

QList<ModuleDock> CurvesModule::docks() const
{
    return {{panel_, tr("Curves"), QStringLiteral("curves"), DockGroup::Image, tr("Curves…")}};
}

bool CurvesModule::resolve(const QString& text, std::string& layer, std::vector<int>& channels)
{
    try {
        const UnitFamily family = UnitFamily::parse(families_.value(text, text).toStdString());
        layer = family.layer;
        channels = family.channels;
        return true;
    } catch (const Error& e) {
        emit failed(QString::fromUtf8(e.what()));
        return false;
    }
}

bool CurvesModule::ready(bool needsImage)
{
    if (!context().session->hasModel()) {
        emit failed(tr("Open a model first."));
        return false;
    }
    if (needsImage && !context().session->hasImage()) {
        emit failed(tr("Open an image first."));
        return false;
    }
    return true;
}

void CurvesModule::requestCurveMap(const QString& family, CurveMapMethod method,
    bool colourByOrientation, double cannyLow, double cannyHigh)
{
    if (!ready(true))
        return;
    CurveMapConfig config;
    config.method = method;
    config.colourByOrientation = colourByOrientation;
    if (!resolve(family, config.layer, config.channels))
        return;
    auto model = context().session->model();
    const RgbImage image = context().session->image();
    panel_->setStatus(tr("Computing the curve map of %1…").arg(family));
    context().jobs->submit(
        {tr("Curve map of %1").arg(family), JobRunner::Pool::Device, QStringLiteral("curves-map")},
        this,
        [model, image, config, cannyLow, cannyHigh](JobContext& job) {
            CurveRun run;
            run.map = familyCurveMap(*model, image, config, job.progress);
            run.edges = cannyEdges(run.map.inputView, {cannyLow, cannyHigh});
            return run;
        },
        [this, method, colourByOrientation](const CurveRun& run) {
            panel_->showCurveMap(widgets::toQImage(run.map.inputView),
                widgets::toQImage(run.map.picture), widgets::toQImage(run.edges.picture),
                tr("curve map (%1%2)")
                    .arg(QString::fromStdString(curveMapMethodLabel(method)),
                        colourByOrientation ? tr(", hue = preferred orientation") : QString()),
                tr("Canny edges (%1, %2)")
                    .arg(run.edges.low, 0, 'f', 0)
                    .arg(run.edges.high, 0, 'f', 0),
                curveMapScale(colourByOrientation));
            emit curveMapReady();
        },
        [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

void CurvesModule::requestTrace(
    const QString& family, CurveMapMethod method, int strokes, const QString& penaltyTarget)
{
    if (!ready(true))
        return;
    CurveMapConfig config;
    config.method = method;
    if (!resolve(family, config.layer, config.channels))
        return;
    // Concepts and saved directions are read from the original model's workspace, on the worker.
    const std::string penaltyText = penaltyTarget.toStdString();
    auto records = context().session->recordsWorkspace();
    auto model = context().session->model();
    const RgbImage image = context().session->image();
    panel_->setStatus(tr("Tracing %n stroke(s)…", nullptr, strokes));
    context().jobs->submit(
        {tr("Trace strokes of %1").arg(family), JobRunner::Pool::Device,
            QStringLiteral("curves-trace")},
        this,
        [model, image, config, strokes, penaltyText, records, method](JobContext& job) {
            TraceRun run;
            run.map = familyCurveMap(*model, image, config, job.progress);
            FloatMap field{run.map.width, run.map.height, run.map.strength};
            FloatMap avoid;
            const bool withPenalty = !penaltyText.empty();
            if (withPenalty) {
                const CurveMap p = targetMagnitudeMap(*model, image,
                    strokePenaltyTarget(penaltyText, records.get()), method, job.progress);
                avoid = FloatMap{p.width, p.height, p.strength};
            }
            TraceConfig trace;
            trace.strokes = strokes;
            run.strokes = traceSplines(field, withPenalty ? &avoid : nullptr, trace, job.progress);
            run.drawn = drawStrokes(run.map.inputView, run.strokes);
            return run;
        },
        [this](const TraceRun& run) {
            panel_->showStrokes(widgets::toQImage(run.drawn), run.strokes,
                widgets::toQImage(run.map.inputView), run.map.width, run.map.height);
            emit strokesReady();
        },
        [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

void CurvesModule::requestBenchmark(const QString& family, CurveMapMethod method)
{
    if (!ready())
        return;
    CurveBenchmarkConfig config;
    config.map.method = method;
    if (!resolve(family, config.map.layer, config.map.channels))
        return;
    auto model = context().session->model();
    panel_->setStatus(tr("Measuring %1 on synthetic scenes…").arg(family));
    context().jobs->submit(
        {tr("Measure curve extraction of %1").arg(family), JobRunner::Pool::Device,
            QStringLiteral("curves-benchmark")},
        this,
        [model, config](
            JobContext& job) { return benchmarkCurveExtraction(*model, config, job.progress); },
        [this, family](const CurveBenchmark& result) {
            panel_->showBenchmark(result, family);
            emit benchmarkReady();
        },
        [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

}  // namespace loupe::app
