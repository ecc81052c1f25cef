#pragma once

#include "core/dataset_scan.h"
#include "core/model.h"

#include <QWidget>

class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace loupe::widgets {

class UnitSelection;

// The model's module tree: path, type, output shape, parameters; a search box filters it.
// Selecting a row selects that layer everywhere.
class LayerBrowser : public QWidget {
    Q_OBJECT
public:
    LayerBrowser(UnitSelection* selection, QWidget* parent = nullptr);

    void setLayers(const std::vector<LayerInfo>& layers);
    void setFilter(const QString& text);
    // The search box also takes a unit id, "inception_3b:413" or "mixed3b:413": its layer
    // filters the tree, and Enter selects the unit everywhere (unitTyped). A pasted
    // loupe:// link is handed on (linkEntered). False when the text is neither.
    bool selectTypedUnit();
    // Extra facts per layer path (e.g. from a dataset scan), shown in their own column.
    void setAnnotations(const QHash<QString, QPair<QString, QString>>& textAndTooltip);
    // The latest scan's facts: receptive field, dead and rarely firing units per layer.
    void setScanSummaries(const std::vector<LayerScanSummary>& summaries);
    int visibleLayerCount() const;
    // The width that shows every column whole (the rows now shown, the scroll bar, margins).
    int widthForAllColumns() const;
    QTreeWidget* tree() const { return tree_; }

signals:
    void unitTyped(const QString& layer, int channel);
    void linkEntered(const QString& link);

private:
    void followSelection(const QString& layer);
    void applyFilter();

    UnitSelection* selection_;
    QLineEdit* search_;
    QTreeWidget* tree_;
    QHash<QString, QTreeWidgetItem*> items_;
    QHash<QString, QString> aliases_;  // alias -> path
    QHash<QString, int> channels_;  // path -> channels
};

}  // namespace loupe::widgets
