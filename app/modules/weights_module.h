#pragma once

#include "app/feature_module.h"

namespace loupe::widgets {
class WeightsPanel;
}

namespace loupe::app {

// A convolution's filters: the selected layer's weights, read when the layer or device changes.
class WeightsModule : public FeatureModule {
    Q_OBJECT
public:
    WeightsModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::WeightsPanel* panel() const { return panel_; }

private:
    void refresh();
    widgets::WeightsPanel* panel_;
};

}  // namespace loupe::app
