#pragma once

#include "core/activations.h"
#include "widgets/panel.h"

#include <QImage>

namespace loupe::widgets {

class ImageCanvas;

// The current input image and, for classifiers, the model's top predictions.
class ImagePanel : public Panel {
    Q_OBJECT
public:
    ImagePanel(const PanelServices& services, QWidget* parent = nullptr);

    void setImage(const QImage& image, const QString& name);
    void setPredictions(const std::vector<Prediction>& predictions);
    QImage image() const;
    QStringList predictionLines() const;

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;

private:
    ImageCanvas* canvas_;
    QString name_;
    std::vector<Prediction> predictions_;
};

}  // namespace loupe::widgets
