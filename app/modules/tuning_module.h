#pragma once

#include "app/feature_module.h"
#include "core/tuning.h"
#include "widgets/tuning_panel.h"

namespace loupe::app {

// The Curve Detectors experiments for the selected unit and its family: stimulus sweeps (cached
// in the workspace), radial tuning, rotation of its top dataset examples, the invariance check,
// finding the tuned units of a layer; saved families; and the unit sheet (the family as one
// figure: feature vis + top dataset examples per unit).
class TuningModule : public FeatureModule {
    Q_OBJECT
public:
    TuningModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    void addMenuEntries(QMenu* exportMenu, QMenu* datasetMenu) override;
    widgets::TuningPanel* panel() const { return panel_; }

    void requestTuning(const widgets::TuningRequest& request);
    void saveFamily(const QString& name, const QString& layer, const QList<int>& channels);
    // The selected unit and its family written to `path` (PNG + JSON sidecar); asks for the
    // file when `path` is empty.
    void exportUnitSheet(const QString& path = {});

signals:
    void tuningSweepReady(
        const loupe::SweepResult& sweep, const std::vector<loupe::RgbImage>& thumbnails);
    void tuningRadialReady(const loupe::RadialTuning& radial, const QString& layer);
    void tuningRotationReady(const loupe::RotationTuning& rotation, const QString& layer);
    void tuningInvarianceReady(const std::vector<loupe::InvarianceVariant>& variants);
    void tuningRankReady(const std::vector<loupe::TunedUnit>& units,
        const loupe::RadialTuning& radial, const QString& layer);
    void tuningFailed(const QString& message);
    void unitSheetSaved(const QString& path);

private:
    widgets::TuningPanel* panel_;
};

}  // namespace loupe::app
