#include "app/modules/decision_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/thumbnail_service.h"
#include "core/class_names.h"
#include "core/classify.h"
#include "core/colormap.h"
#include "core/decision.h"
#include "core/error.h"
#include "core/model.h"
#include "widgets/decision_panel.h"
#include "widgets/colour_bar.h"
#include "widgets/qt_image.h"
#include "widgets/unit_selection.h"

#include <algorithm>
#include <cmath>

namespace loupe::app {
namespace {

struct DecisionRun {
    DecisionExplanation explanation;
    QList<QImage> maps;  // in the order of explanation.channels
    float largest = 0;  // every map's colour scale: -largest to +largest
};

constexpr int kMapPixels = 48;
constexpr int kThumbnails = 24;

QStringList labelsOf(const Model& model)
{
    QStringList out;
    for (int k = 0; k < model.numClasses(); ++k)
        out << QString::fromStdString(model.classLabel(k));
    return out;
}

}  // namespace

DecisionModule::DecisionModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::DecisionPanel(context.panels))
{
    connect(panel_, &widgets::DecisionPanel::explanationRequested, this,
        &DecisionModule::requestExplanation);
    connect(this, &DecisionModule::failed, panel_, &widgets::DecisionPanel::clearResult);
    connect(context.session, &ModelSession::modelLoaded, this, [this] {
        if (auto model = this->context().session->model())
            panel_->setClassLabels(labelsOf(*model));
    });
}

QList<ModuleDock> DecisionModule::docks() const
{
    return {
        {panel_, tr("Decision"), QStringLiteral("decision"), DockGroup::Image, tr("Decision…")}};
}

void DecisionModule::requestExplanation(const QString& klass, const QString& versus)
{
    auto model = context().session->model();
    if (!model) {
        emit failed(tr("Open a model first."));
        return;
    }
    const RgbImage image = context().session->image();
    if (image.empty()) {
        emit failed(tr("Open an image first."));
        return;
    }
    const QString layer = context().panels.selection->layer();
    if (layer.isEmpty()) {
        emit failed(tr("Select the layer whose channels should explain the decision."));
        return;
    }
    panel_->clearResult(tr("Explaining…"));
    const std::string a = klass.toStdString(), b = versus.toStdString(), l = layer.toStdString();
    context().jobs->submit(
        {tr("Decision at %1").arg(layer), JobRunner::Pool::Device, QStringLiteral("decision")},
        this,
        [model, image, a, b, l](JobContext&) {
            Progress none;
            const int classA = a.empty()
                ? classifyImages(*model, {image}, 1, none).at(0).at(0).index
                : resolveClass(*model, a);
            const int classB = b.empty() ? -1 : resolveClass(*model, b);
            DecisionRun run;
            run.explanation = explainDecision(*model, image, l, classA, classB);
            // One colour scale for every map, so that their strengths compare.
            float& largest = run.largest;
            largest = 1e-12f;
            for (float v : run.explanation.maps)
                largest = std::max(largest, std::abs(v));
            for (const auto& c : run.explanation.channels) {
                const RgbImage map = colorize(
                    run.explanation.mapOf(c.channel), -largest, largest, Colormap::Diverging);
                run.maps << widgets::toQImage(upscaleNearest(map, kMapPixels,
                    std::max(1, kMapPixels * map.height / std::max(1, map.width))));
            }
            return run;
        },
        [this, layer](const DecisionRun& run) {
            panel_->showExplanation(run.explanation, run.maps,
                widgets::colourScale(-run.largest, run.largest, Colormap::Diverging,
                    tr("contribution to the logit at each position, one scale for every map "
                       "(red for, blue against)")));
            QList<int> channels;
            for (size_t i = 0; i < run.explanation.channels.size() && int(i) < kThumbnails; ++i)
                channels << run.explanation.channels[i].channel;
            context().thumbnails->request(
                layer, channels, QStringLiteral("decision"), panel_,
                [this](const QString&, int channel, const RgbImage& image) {
                    panel_->setThumbnail(channel, widgets::toQImage(image));
                },
                [](const QString&) {});
            emit explained();
        },
        [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

}  // namespace loupe::app
