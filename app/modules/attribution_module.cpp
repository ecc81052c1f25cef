#include "app/modules/attribution_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/attribution_evidence_store.h"
#include "core/attribution_methods.h"
#include "core/concept_dictionary_store.h"
#include "core/attribution_store.h"
#include "core/error.h"
#include "core/model.h"
#include "widgets/attribution_panel.h"

namespace loupe::app {

AttributionModule::AttributionModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::AttributionPanel(context.panels))
{
    connect(panel_, &widgets::AttributionPanel::attributionRequested, this,
        &AttributionModule::requestAttribution);
    connect(this, &AttributionModule::attributionReady, panel_, &widgets::AttributionPanel::addMap);
    connect(this, &AttributionModule::attributionUnavailable, panel_,
        &widgets::AttributionPanel::addUnavailable);
    connect(
        this, &AttributionModule::attributionFailed, panel_, &widgets::AttributionPanel::clearMaps);
    connect(this, &AttributionModule::metricsReady, panel_, &widgets::AttributionPanel::setMetrics);
    connect(this, &AttributionModule::heavyMetricsReady, panel_,
        &widgets::AttributionPanel::setHeavyMetrics);
    connect(this, &AttributionModule::sanityReady, panel_, &widgets::AttributionPanel::setSanity);
    connect(
        this, &AttributionModule::evidenceFailed, panel_, &widgets::AttributionPanel::setStatus);
    connect(panel_, &widgets::AttributionPanel::evidenceRequested, this,
        [this](
            const QString& kind, const QStringList& methods) { requestEvidence(kind, methods); });
    connect(context.session, &ModelSession::modelLoaded, this, [this] {
        QStringList labels;
        if (const auto model = this->context().session->model())
            for (int k = 0; k < model->numClasses(); ++k)
                labels << QString::fromStdString(model->classLabel(k));
        panel_->setClassLabels(labels);
    });
    connect(context.session, &ModelSession::activationsChanged, this,
        [this](const LayerActivations& a) {
            if (!a.predictions.empty())
                panel_->setTopClass(a.predictions.front().index,
                    QString::fromStdString(a.predictions.front().label));
        });
}

QList<ModuleDock> AttributionModule::docks() const
{
    return {{panel_, tr("Attribution"), QStringLiteral("attribution"), DockGroup::Image,
        tr("Attribution…")}};
}

void AttributionModule::requestAttribution(
    const QStringList& methods, const QString& target, const QString& layer)
{
    ModelSession* session = context().session;
    if (!session->hasModel() || !session->hasImage())
        return;
    auto model = session->model();
    auto workspace = session->workspace();
    const RgbImage image = session->image();
    lastImage_ = image;
    lastTarget_ = target;
    lastLayer_ = layer;
    std::vector<std::string> names;
    for (const QString& m : methods)
        names.push_back(m.toStdString());
    const std::string targetText = target.toStdString(), layerName = layer.toStdString();
    context().jobs->submit(
        {tr("Attribution (%1)").arg(methods.join(QStringLiteral(", "))), JobRunner::Pool::Device,
            QStringLiteral("attribution")},
        this,
        [this, model, workspace, image, names, targetText, layerName](JobContext& job) {
            AttributionConfig config;
            config.target = AttributionTarget::parse(targetText);
            resolveConceptTarget(config.target, workspace.get());
            config.layer = layerName;
            const bool comparing = names.size() > 1;
            for (size_t i = 0; i < names.size(); ++i) {
                job.progress.checkCancelled();
                config.method = attributionMethodFromString(names[i]);
                Progress step(
                    [&](double f, const std::string& text) {
                        job.progress.report((double(i) + f) / names.size(), names[i] + ": " + text);
                    },
                    job.progress);
                const QString method = QString::fromStdString(names[i]);
                try {
                    const AttributionMap map =
                        cachedAttribution(*model, workspace.get(), image, config, step);
                    job.post([this, method, map] { emit attributionReady(method, map); });
                    // The map's faithfulness: two batched curves, cached with the map. If they
                    // fail, the map stays and the status says why.
                    try {
                        const AttributionMetrics metrics = cachedFaithfulness(*model,
                            workspace.get(), image, config, map, FaithfulnessConfig(), step);
                        job.post([this, method, metrics] { emit metricsReady(method, metrics); });
                    } catch (const Error& e) {
                        const QString reason = QString::fromStdString(e.what());
                        job.post([this, reason] { emit evidenceFailed(reason); });
                    }
                } catch (const Cancelled&) {
                    throw;
                } catch (const Error& e) {
                    if (!comparing)
                        throw;
                    // In a comparison a method that cannot take this target or layer says why
                    // in its own cell; the others still run.
                    const QString reason = QString::fromStdString(e.what());
                    job.post(
                        [this, method, reason] { emit attributionUnavailable(method, reason); });
                }
            }
        },
        [] {}, [this](const QString& message) { emit attributionFailed(message); });
}

void AttributionModule::requestEvidence(const QString& kind, const QStringList& methods)
{
    ModelSession* session = context().session;
    if (!session->hasModel() || lastImage_.empty() || lastTarget_.isEmpty() || methods.isEmpty())
        return;
    auto model = session->model();
    auto workspace = session->workspace();
    const RgbImage image = lastImage_;
    const std::string target = lastTarget_.toStdString(), layer = lastLayer_.toStdString();
    const bool sanity = kind == QLatin1String("sanity");
    QStringList names = methods;
    context().jobs->submit(
        {(sanity ? tr("Sanity check (%1)") : tr("Heavy attribution metrics (%1)"))
                .arg(methods.join(QStringLiteral(", "))),
            JobRunner::Pool::Device,
            sanity ? QStringLiteral("attribution-sanity") : QStringLiteral("attribution-heavy")},
        this,
        [this, model, workspace, image, target, layer, sanity, names](JobContext& job) {
            AttributionConfig config;
            config.target = AttributionTarget::parse(target);
            resolveConceptTarget(config.target, workspace.get());
            config.layer = layer;
            for (int i = 0; i < names.size(); ++i) {
                job.progress.checkCancelled();
                const std::string name = names[i].toStdString();
                config.method = attributionMethodFromString(name);
                Progress step(
                    [&](double f, const std::string& text) {
                        job.progress.report((i + f) / names.size(), name + ": " + text);
                    },
                    job.progress);
                // The map the dock shows: read back from the workspace, not recomputed.
                const AttributionMap map =
                    cachedAttribution(*model, workspace.get(), image, config, step);
                const QString method = names[i];
                if (sanity) {
                    const SanityReport report = cachedSanityReport(
                        *model, workspace.get(), image, config, map, SanityConfig(), step);
                    job.post([this, method, report] { emit sanityReady(method, report); });
                } else {
                    const HeavyAttributionMetrics heavy =
                        cachedHeavyMetrics(*model, workspace.get(), image, config, map, step);
                    job.post([this, method, heavy] { emit heavyMetricsReady(method, heavy); });
                }
            }
        },
        [] {}, [this](const QString& message) { emit evidenceFailed(message); });
}

}  // namespace loupe::app
