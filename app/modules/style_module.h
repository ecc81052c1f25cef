#pragma once

#include "app/feature_module.h"
#include "core/style_transfer.h"

namespace loupe::widgets {
class StylePanel;
}

namespace loupe::app {

// Style transfer with the current image as content and a style photo the user picks.
class StyleModule : public FeatureModule {
    Q_OBJECT
public:
    StyleModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::StylePanel* panel() const { return panel_; }

    void requestStyle(const QString& stylePath, const loupe::StyleConfig& config);

signals:
    void styleReady(const loupe::StyleTransfer& result);
    void styleFailed(const QString& message);

private:
    widgets::StylePanel* panel_;
};

}  // namespace loupe::app
