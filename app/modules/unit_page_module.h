#pragma once

#include "app/feature_module.h"

namespace loupe::widgets {
class UnitPagePanel;
}

namespace loupe::app {

// The unit page (widgets/unit_page_panel.h): everything about the selected unit in one view.
// It follows the selection while its dock is shown (and catches up when the dock is raised),
// so browsing units does not render pages nobody looks at. Renders pause at their steps for
// whatever the user asks next (JobRunner pre-emption).
class UnitPageModule : public FeatureModule {
    Q_OBJECT
public:
    UnitPageModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::UnitPagePanel* panel() const { return panel_; }

    // Shows the page of a unit now, whether or not its dock is visible.
    void showUnit(const QString& layer, int channel);

signals:
    void pageComplete();  // every section has its answer (tests, scripted screenshots)

private:
    void followSelection();
    void requestExamplesAndNeighbours();
    void requestNeighbours(const QString& imagePath, int x, int y, const QString& imageName);
    void requestRenders();
    void sectionDone();

    widgets::UnitPagePanel* panel_;
    QString shownLayer_;
    int shownChannel_ = -1;
    int generation_ = 0;  // results of an older page are dropped
    int sectionsLeft_ = 0;
};

}  // namespace loupe::app
