#pragma once

#include "app/feature_module.h"
#include "core/concept_masks.h"

namespace loupe::widgets {
class DissectionPanel;
}

namespace loupe::app {

// Network dissection of the selected layer over a folder (colour concepts, the user's labelled
// images, or Loupe's synthetic set), its unit table with thumbnails, and per unit the images
// with its region and concept outlined.
class DissectionModule : public FeatureModule {
    Q_OBJECT
public:
    DissectionModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::DissectionPanel* panel() const { return panel_; }

    void requestDissection(const QString& folder, const QString& labelFolder, const QString& csv,
        bool colours, double quantile, double detectorIoU, int maxImages);
    // Renders the synthetic set into `folder` once (kept for next time), then dissects it.
    void requestSynthetic(const QString& folder, int images);
    void requestExamples(int unit, int concept);

signals:
    void failed(const QString& message);
    void dissected();

private:
    widgets::DissectionPanel* panel_;
    ConceptSources sources_;  // of the result shown
};

}  // namespace loupe::app
