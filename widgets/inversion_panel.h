#pragma once

#include "core/inversion.h"
#include "widgets/panel.h"

#include <QImage>
#include <QList>

class QCustomPlot;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace loupe::widgets {

class ImageRow;

// Feature inversion of the current image: for each chosen layer, an image whose code at that
// layer matches the photo's, side by side with the photo and the relative code error reached,
// the error falling step by step in the plot below ("what does inception_4a still know about
// this photo?").
class InversionPanel : public Panel {
    Q_OBJECT
public:
    InversionPanel(const PanelServices& services, QWidget* parent = nullptr);

    QStringList layers() const;  // the field, or the selected layer when it is empty
    void setLayersText(const QString& layers);
    void setSteps(int steps);
    // A run starts: the photo as the model sees it and one empty slot per layer.
    void start(const QImage& target, const QStringList& layers);
    void showProgress(int layer, const QImage& image, int step, float error);
    void showResult(const Inversion& inversion);
    void clearResult(const QString& message);
    int reconstructionCount() const;

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesUnit() const override { return false; }  // the image's, not a unit's
    QString exportData() const override;

public slots:
    void run();

signals:
    void inversionRequested(const QStringList& layers, int steps, double totalVariation);

private:
    QLineEdit* layers_;
    QSpinBox* steps_;
    QSpinBox* tv_;  // total variation x 1000
    ImageRow* strip_;
    QCustomPlot* plot_;
    Inversion last_;
};

}  // namespace loupe::widgets
