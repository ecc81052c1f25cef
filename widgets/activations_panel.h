#pragma once

#include "core/activations.h"
#include "widgets/panel.h"

class QAction;
class QSpinBox;

namespace loupe::widgets {

class ChannelBarChart;
class ChannelGrid;

// All channel maps of the selected layer for the current image (colour-mapped, shared or
// per-channel scale), and the per-channel mean/max bar chart with dead channels flagged.
class ActivationsPanel : public Panel {
    Q_OBJECT
public:
    ActivationsPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setActivations(const LayerActivations& activations);
    void clearActivations(const QString& message);
    const LayerActivations& activations() const { return activations_; }

    bool sharedScale() const;
    void setSharedScale(bool shared);
    bool preRelu() const;
    ChannelGrid* grid() const { return grid_; }
    ChannelBarChart* chart() const { return chart_; }

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;

signals:
    void preReluChanged(bool preRelu);
    void sharedScaleChanged(bool shared);

private:
    void rebuildTiles();
    void showSelection(const QString& layer, int channel);

    LayerActivations activations_;
    ChannelGrid* grid_;
    ChannelBarChart* chart_;
    QAction* sharedScale_;
    QAction* preRelu_;
    QSpinBox* tileSize_;
};

}  // namespace loupe::widgets
