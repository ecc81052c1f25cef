#pragma once

#include "core/weights.h"
#include "widgets/panel.h"

namespace loupe::widgets {

class FilterView;

// A convolution's filters: colour images for a layer that sees the input (the classic
// Gabor/colour-blob picture), otherwise per filter a strip of its strongest input kernels.
class WeightsPanel : public Panel {
    Q_OBJECT
public:
    WeightsPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setWeights(const LayerWeights& weights);
    void clearWeights(const QString& message);
    const LayerWeights& weights() const { return weights_; }

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesImage() const override { return false; }  // a unit's, not the photo's

private:
    LayerWeights weights_;
    FilterView* view_;
};

}  // namespace loupe::widgets
