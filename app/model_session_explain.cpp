// ModelSession's jobs that explain the current image: occlusion maps (filling in batch by
// batch) and circuits (activation x weight into a conv unit).
#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/attribution_methods.h"
#include "core/attribution_store.h"
#include "core/circuit.h"
#include "core/error.h"

#include <QPointer>

namespace loupe::app {
namespace {

QMap<int, QString> labelsFor(const Model& model, const OcclusionClassMap& map)
{
    QMap<int, QString> labels;
    for (const auto& [c, count] : map.legend())
        labels.insert(c, QString::fromStdString(model.classLabel(c)));
    if (map.unoccludedClass >= 0)
        labels.insert(map.unoccludedClass, QString::fromStdString(model.classLabel(map.unoccludedClass)));
    return labels;
}

} // namespace

void ModelSession::requestOcclusion(const QString& kind, const QString& target, int patch, int stride, const QString& fill)
{
    if (!model_ || image_.empty()) {
        emit occlusionFailed(tr("Open an image first."));
        return;
    }
    auto model = model_;
    auto workspace = workspace_;
    const RgbImage image = image_;
    AttributionConfig config;
    config.method = AttributionMethod::Occlusion;
    config.patch = patch;
    config.stride = stride;
    config.fill = occlusionFillFromString(fill.toStdString());
    const bool classes = kind == QLatin1String("classes");
    const std::string targetText = target.toStdString();
    QPointer<ModelSession> self(this);
    runner_->submit(
        classes ? tr("Occlusion: top-1 class") : tr("Occlusion: %1").arg(target), JobRunner::Pool::Device,
        [=](Progress& progress) mutable -> std::any {
            if (classes) {
                const auto map = cachedOcclusionTopClasses(*model, workspace.get(), image, config, progress, [&](const OcclusionClassMap& partial) {
                    const auto labels = labelsFor(*model, partial);
                    QMetaObject::invokeMethod(
                        self, [self, partial, labels] { if (self) emit self->occlusionClassesReady(partial, labels, false); },
                        Qt::QueuedConnection);
                });
                return std::make_pair(map, labelsFor(*model, map));
            }
            config.target = AttributionTarget::parse(targetText);
            return cachedAttribution(*model, workspace.get(), image, config, progress, [&](const AttributionMap& partial) {
                QMetaObject::invokeMethod(
                    self, [self, partial] { if (self) emit self->occlusionHeatmapReady(partial, false); }, Qt::QueuedConnection);
            });
        },
        this,
        {[this, classes](std::any result) {
             if (classes) {
                 const auto [map, labels] = std::any_cast<std::pair<OcclusionClassMap, QMap<int, QString>>>(result);
                 emit occlusionClassesReady(map, labels, true);
             } else {
                 emit occlusionHeatmapReady(std::any_cast<AttributionMap>(result), true);
             }
         },
         [this](const QString& message) { emit occlusionFailed(message); },
         [this] { emit occlusionFailed(tr("cancelled")); }},
        QStringLiteral("occlusion"));
}

void ModelSession::requestCircuit(const QString& layer, int channel, int k, const QString& fromLayer)
{
    if (!model_ || image_.empty()) {
        emit circuitFailed(tr("Open an image first: circuits are computed on it."));
        return;
    }
    auto model = model_;
    const RgbImage image = image_;
    const std::string name = layer.toStdString(), from = fromLayer.toStdString();
    runner_->submit(
        tr("Circuit of %1:%2").arg(layer).arg(channel), JobRunner::Pool::Device,
        [=](Progress&) -> std::any {
            return from.empty() ? circuitContributions(*model, image, name, channel, -1, -1, k)
                                : circuitByGradient(*model, image, name, channel, -1, -1, from, k);
        },
        this,
        {[this](std::any result) { emit circuitReady(std::any_cast<CircuitResult>(result)); },
         [this](const QString& message) { emit circuitFailed(message); },
         {}},
        QStringLiteral("circuit"));
}

} // namespace loupe::app
