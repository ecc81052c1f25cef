#pragma once

#include "app/feature_module.h"
#include "core/featurevis.h"

namespace loupe::widgets {
class NeuronPanel;
}

namespace loupe::app {

// Feature visualization of the selected unit (or any objective): positive and negative renders
// that update as they optimise, cached in the workspace; a whole layer rendered in batches.
class NeuronModule : public FeatureModule {
    Q_OBJECT
public:
    NeuronModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::NeuronPanel* panel() const { return panel_; }

    // A config with zero steps is skipped.
    void requestFeatureVis(const FeatureVisConfig& positive, const FeatureVisConfig& negative);
    void requestLayerFeatureVis(const FeatureVisConfig& base, const QString& layer);

signals:
    void featureVisProgress(bool negative, const loupe::RgbImage& image, int step, float objective);
    void featureVisReady(bool negative, const loupe::FeatureVisResult& result, bool fromCache);
    void featureVisFailed(const QString& message);
    void layerChannelReady(const QString& layer, int channel, const loupe::RgbImage& image);

private:
    void submit(const FeatureVisConfig& config);
    widgets::NeuronPanel* panel_;
    int generation_[2] = {
        0, 0};  // of the latest positive / negative request: older ones are dropped
};

}  // namespace loupe::app
