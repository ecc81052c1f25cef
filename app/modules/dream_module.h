#pragma once

#include "app/feature_module.h"
#include "core/deepdream.h"

namespace loupe::widgets {
class DreamPanel;
}

namespace loupe::app {

// DeepDream on the current image, the dream shown as it optimises, cached in the workspace.
class DreamModule : public FeatureModule {
    Q_OBJECT
public:
    DreamModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::DreamPanel* panel() const { return panel_; }

    void requestDream(const loupe::DreamConfig& config);

signals:
    void dreamReady(const loupe::Dream& dream);
    void dreamFailed(const QString& message);

private:
    widgets::DreamPanel* panel_;
};

}  // namespace loupe::app
