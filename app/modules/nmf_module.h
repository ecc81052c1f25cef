#pragma once

#include "app/feature_module.h"
#include "core/nmf.h"

namespace loupe::widgets {
class NmfPanel;
}

namespace loupe::app {

// The selected layer factorised into k neuron groups over the current image or a folder, each
// factor's feature visualization, and a factor saved as a named direction (undoable).
class NmfModule : public FeatureModule {
    Q_OBJECT
public:
    NmfModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::NmfPanel* panel() const { return panel_; }

    // An empty folder: the current image.
    void requestFactors(const QString& layer, int k, const QString& folder);

signals:
    void nmfFactorsReady(const loupe::LayerFactors& factors, const loupe::RgbImage& overlay,
        int images, const QString& source);
    void nmfFactorImagesReady(const std::vector<loupe::RgbImage>& images);
    void nmfFailed(const QString& message);
    void directionSaved(const QString& name);

private:
    widgets::NmfPanel* panel_;
};

}  // namespace loupe::app
