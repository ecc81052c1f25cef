#pragma once

#include "app/feature_module.h"

namespace loupe::widgets {
class TextureShapePanel;
}

namespace loupe::app {

// Texture vs shape over a folder of labelled photos: cue-conflict shape bias and the
// degradation accuracy table.
class TextureShapeModule : public FeatureModule {
    Q_OBJECT
public:
    TextureShapeModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::TextureShapePanel* panel() const { return panel_; }

    void requestShapeBias(const QString& folder, int pairs, int steps);
    void requestDegradations(const QString& folder, const QString& masksFolder, int maxImages);

signals:
    void failed(const QString& message);

private:
    widgets::TextureShapePanel* panel_;
};

}  // namespace loupe::app
