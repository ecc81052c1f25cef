#pragma once

#include "app/feature_module.h"
#include "core/adversarial.h"

namespace loupe::widgets {
class AdversarialPanel;
}

namespace loupe::app {

// Adversarial examples on the current image (FGSM/PGD, smallest flipping epsilon), fooling
// images from noise, and transfer of the last adversarial image to a second model.
class AdversarialModule : public FeatureModule {
    Q_OBJECT
public:
    AdversarialModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::AdversarialPanel* panel() const { return panel_; }

    void requestAttack(const loupe::AttackConfig& config);
    void requestEpsilonSearch(const loupe::AttackConfig& config, float maxEpsilon);
    void requestFooling(int targetClass, int maxSteps);
    void requestTransfer(const QString& modelPath);

signals:
    void attackReady(const loupe::Attack& attack);
    void attackFailed(const QString& message);

private:
    bool ready();
    widgets::AdversarialPanel* panel_;
};

}  // namespace loupe::app
