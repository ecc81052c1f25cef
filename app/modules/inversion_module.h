#pragma once

#include "app/feature_module.h"
#include "core/inversion.h"

namespace loupe::widgets {
class InversionPanel;
}

namespace loupe::app {

// Feature inversion of the current image at one or several layers, each reconstruction shown
// as it optimises (image-space experiments, issue "feature inversion").
class InversionModule : public FeatureModule {
    Q_OBJECT
public:
    InversionModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::InversionPanel* panel() const { return panel_; }

    void requestInversion(const QStringList& layers, int steps, double totalVariation);

signals:
    void inversionReady(const loupe::Inversion& inversion);
    void inversionFailed(const QString& message);

private:
    widgets::InversionPanel* panel_;
};

}  // namespace loupe::app
