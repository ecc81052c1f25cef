#pragma once

#include "app/feature_module.h"

namespace loupe::widgets {
class TimelinePanel;
}

namespace loupe::app {

// Training timeline: the selected unit across a folder of checkpoints of the open model's
// architecture (core/training_timeline.h); frames are cached in each checkpoint's workspace.
class TimelineModule : public FeatureModule {
    Q_OBJECT
public:
    TimelineModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::TimelinePanel* panel() const { return panel_; }

    void requestTimeline(const QString& folder, const QString& examplesFolder);

signals:
    void failed(const QString& message);
    void timelineReady();

private:
    widgets::TimelinePanel* panel_;
};

}  // namespace loupe::app
