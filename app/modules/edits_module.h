#pragma once

#include "app/feature_module.h"
#include "core/model_edits.h"

namespace loupe::widgets {
class EditsPanel;
}

namespace loupe::app {

// Circuit editing: the session's edit list (every dock then runs the edited copy), saving the
// edited model, and the live comparison with the original model (core/model_edits.h,
// core/edit_evaluation.h).
class EditsModule : public FeatureModule {
    Q_OBJECT
public:
    EditsModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::EditsPanel* panel() const { return panel_; }

    void requestApply(const loupe::EditList& edits);
    void requestSave(const QString& path);
    void requestAccuracy(const QString& folder, bool randomControl);
    void requestTuning(const QString& unit);
    void requestOcclusion();
    void refreshTopFive();

signals:
    void failed(const QString& message);
    void applied();
    void saved(const QString& path);
    void topFiveReady();
    void accuracyReady();
    void tuningReady();
    void occlusionReady();

private:
    widgets::EditsPanel* panel_;
};

}  // namespace loupe::app
