#pragma once

#include "app/feature_module.h"

namespace loupe::widgets {
class ActivationsPanel;
}

namespace loupe::app {

// Every channel map of the selected layer for the current image (and the model's predictions):
// recomputed when the layer, the image, the device or the pre-ReLU toggle changes, and
// published on the session for the modules that read them.
class ActivationsModule : public FeatureModule {
    Q_OBJECT
public:
    ActivationsModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::ActivationsPanel* panel() const { return panel_; }

private:
    void refresh();
    widgets::ActivationsPanel* panel_;
};

}  // namespace loupe::app
