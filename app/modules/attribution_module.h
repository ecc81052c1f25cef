#pragma once

#include "app/feature_module.h"
#include "core/attribution.h"
#include "core/attribution_metrics.h"
#include "core/attribution_sanity.h"

#include <QStringList>

namespace loupe::widgets {
class AttributionPanel;
}

namespace loupe::app {

// Attribution maps of the current image for the top class or the selected unit: one method or
// all of them side by side, cached in the workspace. In a comparison a method that cannot
// take the target says why in its own cell. Every map comes with its faithfulness metrics
// (deletion / insertion, batched forwards, cached with the map); the heavier metrics and the
// randomisation sanity check run as background jobs on request, in a copy of the model.
class AttributionModule : public FeatureModule {
    Q_OBJECT
public:
    AttributionModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::AttributionPanel* panel() const { return panel_; }

    void requestAttribution(
        const QStringList& methods, const QString& target, const QString& layer);
    // kind "heavy" or "sanity", for maps of the last requested image, target and layer.
    void requestEvidence(const QString& kind, const QStringList& methods);

signals:
    void attributionReady(const QString& method, const loupe::AttributionMap& map);
    void attributionUnavailable(const QString& method, const QString& reason);
    void attributionFailed(const QString& message);
    void metricsReady(const QString& method, const loupe::AttributionMetrics& metrics);
    void heavyMetricsReady(const QString& method, const loupe::HeavyAttributionMetrics& metrics);
    void sanityReady(const QString& method, const loupe::SanityReport& report);
    void evidenceFailed(const QString& message);

private:
    widgets::AttributionPanel* panel_;
    // What the maps on show explain: the evidence jobs explain the same.
    RgbImage lastImage_;
    QString lastTarget_, lastLayer_;
};

}  // namespace loupe::app
