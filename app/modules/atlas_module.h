#pragma once

#include "app/feature_module.h"
#include "core/atlas.h"
#include "core/atlas_store.h"
#include "core/receptive_field.h"
#include "widgets/atlas_request.h"

#include <QMap>

#include <memory>

namespace loupe::widgets {
class AtlasPanel;
}

namespace loupe::app {

// An activation atlas of the selected layer over a folder (or an image map of the folder's
// images), kept in the workspace; a cell's dataset patches, where the current image lands, and
// a cell's direction saved by name (undoable).
class AtlasModule : public FeatureModule {
    Q_OBJECT
public:
    AtlasModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    void addMenuEntries(QMenu* exportMenu, QMenu* datasetMenu) override;
    widgets::AtlasPanel* panel() const { return panel_; }

    void requestAtlas(const widgets::AtlasBuildRequest& request);
    void requestImageMap(const QString& layer, const QString& folder);
    void requestPatches(int cell);  // a few dataset patches of the cell
    void requestPlacement();  // where the current image's positions land
    // Frames the cells by a learned concept of the atlas's layer (the one shown in the Concepts
    // dock); a concept of another layer leaves the atlas as it is.
    void requestConceptColouring(const QString& layer, int concept);

signals:
    void atlasReady(
        std::shared_ptr<const loupe::Atlas> atlas, const QMap<int, QString>& classLabels);
    void atlasFailed(const QString& message);
    void atlasPatchesReady(int cell, const std::vector<loupe::RgbImage>& patches);
    void atlasPlacementReady(const std::vector<float>& coordinates);
    void imageMapReady(std::shared_ptr<const loupe::ImageMap> map);
    void directionSaved(const QString& name);
    void conceptColoured(int concept);
    void iconsDone(int rendered);  // every cell that gets an icon has it (tests)

private:
    // Icons come after the map (which shows each cell's mean dataset patch meanwhile): a
    // pre-emptible job renders them a batch at a time, the cells in view first.
    void renderIcons(const std::string& atlasKey);

    widgets::AtlasPanel* panel_;
    std::shared_ptr<const Atlas> atlas_;  // the last one built, with its layer's receptive field
    ReceptiveField field_;
    FeatureVisConfig iconRecipe_;
    int maximumIcons_ = 0;
    std::shared_ptr<AtlasIconQueue> icons_;  // shared with the icon job
};

}  // namespace loupe::app
