#pragma once

#include "app/feature_module.h"
#include "core/attribution.h"
#include "core/occlusion.h"

#include <QMap>

namespace loupe::widgets {
class OcclusionPanel;
}

namespace loupe::app {

// Occlusion of the current image: the drop of an attribution target ("prob:N", "unit:L:C",
// "layer:L") or the top-1 class as a patch slides over it, filling in batch by batch.
class OcclusionModule : public FeatureModule {
    Q_OBJECT
public:
    OcclusionModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::OcclusionPanel* panel() const { return panel_; }

    // kind "heat" maps the drop of `target`, "classes" the top-1 class.
    void requestOcclusion(
        const QString& kind, const QString& target, int patch, int stride, const QString& fill);

signals:
    void occlusionHeatmapReady(const loupe::AttributionMap& map, bool final);
    void occlusionClassesReady(
        const loupe::OcclusionClassMap& map, const QMap<int, QString>& labels, bool final);
    void occlusionFailed(const QString& message);

private:
    widgets::OcclusionPanel* panel_;
};

}  // namespace loupe::app
