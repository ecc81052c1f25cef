#pragma once

#include "core/atlas.h"
#include "widgets/atlas_request.h"
#include "widgets/panel.h"

#include <QMap>

#include <memory>

class QCheckBox;
class QComboBox;
class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QSpinBox;

namespace loupe::widgets {

class AtlasCellItem;

// The activation atlas of a layer over a folder: a zoomable, pannable map (wheel to zoom, drag
// to pan) of icons, each the feature visualization of a grid cell's mean activation vector,
// more opaque where more samples fell. Hovering a cell shows its sample count, top channels,
// the classes the model predicted for its images and a few of its dataset patches; clicking
// selects its direction (Save… keeps it as a named direction). Cells can be restricted to one
// predicted class (a class activation atlas), and the current image's positions can be shown
// on the map.
class AtlasPanel : public Panel {
    Q_OBJECT
public:
    AtlasPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setAtlas(std::shared_ptr<const Atlas> atlas, const QMap<int, QString>& classLabels);
    // The second mode: one thumbnail per image at its place; click one for its nearest
    // neighbours in feature space.
    void setImageMap(std::shared_ptr<const ImageMap> map);
    void setImageMapMode(bool imageMap);
    void setIconSteps(int steps);  // the default for the device (the user may change it)
    void showNeighbours(int image);  // what clicking an image does
    const ImageMap* imageMap() const { return imageMap_.get(); }
    void setCellPatches(int cell, const std::vector<RgbImage>& patches);
    // A cell's icon, as the icon job renders it (the cell shows its mean patch until then).
    void setCellIcon(int cell, const RgbImage& icon);
    int iconCount() const;  // cells showing their icon
    std::vector<int> visibleCells() const;  // cells in view now, most populated first
    void fitToView();
    void setImagePlacement(const std::vector<float>& coordinates);  // [0,1]^2 pairs
    void clearAtlas(const QString& message);
    void setClassFilter(int classIndex);  // -1: all
    void setColourByClass(bool on);
    // A concept's strength per cell (in the order of the atlas's cells): frames coloured by it
    // when "colour by concept" is on. An empty label clears it.
    void setConceptStrengths(const QString& label, const std::vector<float>& strengths);
    bool showsConcept() const;
    const std::vector<float>& conceptStrengths() const { return conceptStrengths_; }
    void hoverCell(int cell);  // what hovering does (also for tests)
    void selectCell(int cell);
    int selectedCell() const { return selected_; }
    int visibleIcons() const;
    const Atlas* atlas() const { return atlas_.get(); }

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesUnit() const override { return false; }  // the image's, not a unit's
    QString exportData() const override;

public slots:
    void build(const QString& folder = {});  // asks for a folder when empty
    void saveSelected(const QString& name = {});

signals:
    void atlasRequested(const loupe::widgets::AtlasBuildRequest& request);
    void imageMapRequested(const QString& layer, const QString& folder);
    void patchesWanted(int cell);
    void placementWanted();
    // The cells in view changed (pan, zoom, a new atlas): their icons are rendered first.
    void visibleCellsChanged(const QList<int>& cells);
    void saveDirectionRequested(
        const QString& name, const QString& layer, const std::vector<float>& direction);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuildScene();
    int majorityClass(int cell) const;
    void viewMoved();  // debounced: visibleCellsChanged

    QComboBox* mode_;
    QSpinBox* grid_;
    QSpinBox* samples_;
    QSpinBox* icons_;
    QSpinBox* iconSteps_;
    QComboBox* classFilter_;
    QCheckBox* showImage_;
    QCheckBox* colourByClass_;
    QCheckBox* colourByConcept_;
    QString conceptLabel_;
    std::vector<float> conceptStrengths_;
    QMap<int, int> classRank_;  // predicted class -> rank by cells dominated (colour index)
    QGraphicsScene* scene_;
    QGraphicsView* view_;
    QLabel* info_;
    QLabel* patches_;
    std::shared_ptr<const Atlas> atlas_;
    std::vector<RgbImage> cellIcons_;  // per cell: its icon once rendered (empty image: not yet)
    class QTimer* viewMoved_ = nullptr;
    std::shared_ptr<const ImageMap> imageMap_;
    QMap<int, QString> classLabels_;
    std::vector<float> placement_;
    int selected_ = -1;
    int hovered_ = -1;
    int filterClass_ = -1;
};

}  // namespace loupe::widgets
