#pragma once

#include "app/feature_module.h"
#include "core/circuit.h"

namespace loupe::widgets {
class CircuitPanel;
}

namespace loupe::app {

// The selected conv unit's pre-activation on the current image split into activation x weight
// per input channel, each input drawn as its feature visualization (walk the circuit back).
class CircuitModule : public FeatureModule {
    Q_OBJECT
public:
    CircuitModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::CircuitPanel* panel() const { return panel_; }

    void requestCircuit(const QString& layer, int channel, int k, const QString& fromLayer = {});

signals:
    void circuitReady(const loupe::CircuitResult& circuit);
    void circuitFailed(const QString& message);

private:
    widgets::CircuitPanel* panel_;
};

}  // namespace loupe::app
