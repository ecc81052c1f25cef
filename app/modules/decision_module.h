#pragma once

#include "app/feature_module.h"

namespace loupe::widgets {
class DecisionPanel;
}

namespace loupe::app {

// Decision explanation: the channels of the selected layer that made the current image's class
// (or one class against another), with thumbnails and maps.
class DecisionModule : public FeatureModule {
    Q_OBJECT
public:
    DecisionModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::DecisionPanel* panel() const { return panel_; }

    // Class texts are names or numbers; an empty class is the model's top class.
    void requestExplanation(const QString& klass, const QString& versus);

signals:
    void failed(const QString& message);
    void explained();

private:
    widgets::DecisionPanel* panel_;
};

}  // namespace loupe::app
