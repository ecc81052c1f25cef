#pragma once

#include "core/featurevis.h"
#include "widgets/panel.h"

#include <QImage>

class QCheckBox;
class QDoubleSpinBox;
class QLineEdit;
class QComboBox;
class QLabel;
class QSpinBox;
class QCustomPlot;

namespace loupe::widgets {

class ChannelGrid;

// The selected unit's feature visualization (what excites it), its negative (what inhibits
// it), the objective over the optimisation steps, and a grid of the whole layer's
// visualizations. Images update progressively while the jobs run.
class NeuronPanel : public Panel {
    Q_OBJECT
public:
    NeuronPanel(const PanelServices& services, QWidget* parent = nullptr);

    // The render settings chosen in the tool bar, with the typed objective or, when none is
    // typed, the selected unit's channel. Throws loupe::Error on a malformed objective.
    FeatureVisConfig config(bool negative) const;
    void setObjectiveText(const QString& text);
    QString unitText() const;
    void setDefaultSize(int size);

    void showProgress(bool negative, const RgbImage& image, int step, float objective);
    void showResult(bool negative, const FeatureVisResult& result, bool fromCache);
    void showFailure(const QString& message);
    void startLayer(const QString& layer, int channels);
    void showLayerChannel(int channel, const RgbImage& image);

    QImage positiveImage() const { return positive_; }
    QImage negativeImage() const { return negative_; }
    ChannelGrid* layerGrid() const { return layerGrid_; }

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesImage() const override { return false; }  // a unit's, not the photo's

signals:
    void renderRequested(
        const loupe::FeatureVisConfig& positive, const loupe::FeatureVisConfig& negative);
    void renderLayerRequested(const loupe::FeatureVisConfig& base, const QString& layer);

public slots:
    void requestRender();
    void requestLayerRender();

private:
    int exportGridColumns() const;
    void onUnitChanged(const QString& layer, int channel);
    void refreshImages();

    QString layer_;
    int channel_ = -1;
    QImage positive_;
    QImage negative_;
    QVector<double> history_;
    QLabel* positiveView_;
    QLabel* negativeView_;
    QLabel* caption_;
    QString positiveCaption_;
    QString negativeCaption_;
    QCustomPlot* plot_;
    ChannelGrid* layerGrid_;
    QString layerGridLayer_;
    QVector<QImage> layerTiles_;
    QComboBox* parameterization_;
    QSpinBox* size_;
    QSpinBox* steps_;
    QSpinBox* seed_;
    QCheckBox* autoRender_;
    QCheckBox* showNegative_;
    QCheckBox* preRelu_;
    QLineEdit* objectiveEdit_;
    QSpinBox* images_;
    QDoubleSpinBox* diversity_;
};

}  // namespace loupe::widgets
