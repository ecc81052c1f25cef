#pragma once

#include "app/feature_module.h"
#include "core/attribution.h"

#include <QStringList>

namespace loupe::widgets {
class AttributionPanel;
}

namespace loupe::app {

// Attribution maps of the current image for the top class or the selected unit: one method or
// all of them side by side, cached in the workspace. In a comparison a method that cannot
// take the target says why in its own cell.
class AttributionModule : public FeatureModule {
    Q_OBJECT
public:
    AttributionModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::AttributionPanel* panel() const { return panel_; }

    void requestAttribution(
        const QStringList& methods, const QString& target, const QString& layer);

signals:
    void attributionReady(const QString& method, const loupe::AttributionMap& map);
    void attributionUnavailable(const QString& method, const QString& reason);
    void attributionFailed(const QString& message);

private:
    widgets::AttributionPanel* panel_;
};

}  // namespace loupe::app
