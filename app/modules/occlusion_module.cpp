#include "app/modules/occlusion_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/attribution_methods.h"
#include "core/attribution_store.h"
#include "core/error.h"
#include "widgets/occlusion_panel.h"

#include <variant>

namespace loupe::app {
namespace {

QMap<int, QString> labelsFor(const Model& model, const OcclusionClassMap& map)
{
    QMap<int, QString> labels;
    for (const auto& [c, count] : map.legend())
        labels.insert(c, QString::fromStdString(model.classLabel(c)));
    if (map.unoccludedClass >= 0)
        labels.insert(
            map.unoccludedClass, QString::fromStdString(model.classLabel(map.unoccludedClass)));
    return labels;
}

struct ClassMap {
    OcclusionClassMap map;
    QMap<int, QString> labels;
};

}  // namespace

OcclusionModule::OcclusionModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::OcclusionPanel(context.panels))
{
    connect(panel_, &widgets::OcclusionPanel::occlusionRequested, this,
        &OcclusionModule::requestOcclusion);
    connect(this, &OcclusionModule::occlusionHeatmapReady, panel_,
        &widgets::OcclusionPanel::showHeatmap);
    connect(this, &OcclusionModule::occlusionClassesReady, panel_,
        &widgets::OcclusionPanel::showClasses);
    connect(this, &OcclusionModule::occlusionFailed, panel_, &widgets::OcclusionPanel::clearMap);
    connect(context.session, &ModelSession::modelLoaded, this,
        [this] { panel_->setInputSize(this->context().session->inputSize()); });
    connect(context.session, &ModelSession::activationsChanged, this,
        [this](const LayerActivations& a) {
            if (!a.predictions.empty())
                panel_->setTopClass(a.predictions.front().index,
                    QString::fromStdString(a.predictions.front().label));
        });
}

QList<ModuleDock> OcclusionModule::docks() const
{
    return {
        {panel_, tr("Occlusion"), QStringLiteral("occlusion"), DockGroup::Image, tr("Occlusion…")}};
}

void OcclusionModule::requestOcclusion(
    const QString& kind, const QString& target, int patch, int stride, const QString& fill)
{
    ModelSession* session = context().session;
    if (!session->hasModel() || !session->hasImage()) {
        emit occlusionFailed(tr("Open an image first."));
        return;
    }
    auto model = session->model();
    auto workspace = session->workspace();
    const RgbImage image = session->image();
    AttributionConfig config;
    config.method = AttributionMethod::Occlusion;
    config.patch = patch;
    config.stride = stride;
    const std::string fillName = fill.toStdString(), targetText = target.toStdString();
    const bool classes = kind == QLatin1String("classes");
    using Outcome = std::variant<AttributionMap, ClassMap>;
    context().jobs->submit(
        {classes ? tr("Occlusion: top-1 class") : tr("Occlusion: %1").arg(target),
            JobRunner::Pool::Device, QStringLiteral("occlusion")},
        this,
        [this, model, workspace, image, config, fillName, targetText, classes](
            JobContext& job) mutable -> Outcome {
            config.fill = occlusionFillFromString(fillName);
            if (classes) {
                const auto map = cachedOcclusionTopClasses(*model, workspace.get(), image, config,
                    job.progress, [&](const OcclusionClassMap& partial) {
                        const auto labels = labelsFor(*model, partial);
                        job.post([this, partial, labels] {
                            emit occlusionClassesReady(partial, labels, false);
                        });
                    });
                return ClassMap{map, labelsFor(*model, map)};
            }
            config.target = AttributionTarget::parse(targetText);
            return cachedAttribution(*model, workspace.get(), image, config, job.progress,
                [&](const AttributionMap& partial) {
                    job.post([this, partial] { emit occlusionHeatmapReady(partial, false); });
                });
        },
        [this](const Outcome& outcome) {
            if (const auto* classMap = std::get_if<ClassMap>(&outcome))
                emit occlusionClassesReady(classMap->map, classMap->labels, true);
            else
                emit occlusionHeatmapReady(std::get<AttributionMap>(outcome), true);
        },
        [this](const QString& message) { emit occlusionFailed(message); },
        [this] { emit occlusionFailed(tr("cancelled")); });
}

}  // namespace loupe::app
