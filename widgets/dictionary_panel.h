#pragma once

#include "core/activations.h"
#include "core/semantic_dictionary.h"
#include "widgets/panel.h"

#include <QHash>
#include <QImage>

class QListWidget;
class QSpinBox;

namespace loupe::widgets {

class RegionPicker;

// Click (or drag a box on) the image: the channels active there, strongest first, each with
// its feature visualization, value and share of the total (Olah et al., Building Blocks of
// Interpretability). Hovering an entry shows where that channel fires across the image;
// clicking it selects the unit everywhere. Works on the activations the app already has for
// the current image and layer: a click only slices and sorts.
class DictionaryPanel : public Panel {
    Q_OBJECT
public:
    DictionaryPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setImage(const QImage& image);
    void setActivations(const LayerActivations& activations, int inputSize);
    // Picks a region in original-image pixels (w, h = 0 for a point).
    void pick(double x, double y, double w = 0, double h = 0);
    void setThumbnail(const QString& layer, int channel, const QImage& image);
    // The channel's strongest dataset example (when the folder was scanned), shown beside its
    // feature visualization.
    void setTopExample(const QString& layer, int channel, const QImage& image);
    int topExampleCount() const { return int(examples_.size()); }
    // Shows a figure (activation grid, NMF overlay) in place of the image until the next pick.
    // A grid figure (columns x rows cells over the model's view) shows each cell's dictionary
    // while the mouse hovers it.
    void showFigure(const QString& title, const QImage& figure, int columns = 0, int rows = 0);
    // The dictionary of one cell of the grid figure shown (what hovering it does).
    void showGridCell(int column, int row);
    const std::vector<DictionaryEntry>& entries() const { return entries_; }
    // The learned concepts active in the picked region (the layer's concept dictionary, when
    // it has one), each with its label; shown under the channels. Clicking one selects it.
    void setConcepts(const QString& layer, const std::vector<DictionaryEntry>& concepts,
        const QStringList& labels);
    int conceptCount() const;

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;

signals:
    // Channels shown without a cached thumbnail: the app renders them and calls setThumbnail.
    void thumbnailsWanted(const QString& layer, const QList<int>& channels);
    void topExamplesWanted(const QString& layer, const QList<int>& channels);
    void activationGridRequested(const QString& layer, int maxCells);
    void nmfRequested(const QString& layer, int k);
    // A region was picked: its concepts are wanted (answered by setConcepts).
    void conceptsWanted(const QString& layer, const loupe::CellRange& cells);

private:
    void refreshList();
    void computeEntries(double x, double y, double w, double h);
    void highlight(int channel);

    LayerActivations activations_;
    int inputSize_ = 224;
    QImage image_;
    std::vector<DictionaryEntry> entries_;
    QRectF region_;
    QHash<int, QImage> thumbnails_;  // for activations_.layer
    QHash<int, QImage> examples_;  // for activations_.layer
    QIcon entryIcon(int channel) const;
    RegionPicker* picker_;
    QListWidget* list_;
    QListWidget* concepts_;
    QSpinBox* factors_;
    int gridColumns_ = 0;
    int gridRows_ = 0;
};

}  // namespace loupe::widgets
