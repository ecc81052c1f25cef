#pragma once

#include "core/style_transfer.h"
#include "widgets/panel.h"

class QCustomPlot;
class QLineEdit;
class QSpinBox;

namespace loupe::widgets {

class ImageRow;

// Neural style transfer with the current image as content: content, style and result side by
// side, the result updating as it optimises, and the content and style losses in the plot.
class StylePanel : public Panel {
    Q_OBJECT
public:
    StylePanel(const PanelServices& services, QWidget* parent = nullptr);

    QString stylePath() const { return stylePath_; }
    void setStylePath(const QString& path);
    void setSteps(int steps);
    void setLayersText(const QString& contentLayer, const QString& styleLayers);
    void start(const QImage& content, const QImage& style);
    void showProgress(const QImage& image, int step, float contentLoss, float styleLoss);
    void showResult(const StyleTransfer& result);
    void clearResult(const QString& message);
    bool hasResult() const { return !last_.result.empty(); }

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesUnit() const override { return false; }  // the image's, not a unit's
    QString exportData() const override;

public slots:
    void run();
    void chooseStylePhoto();

signals:
    void styleRequested(const QString& stylePath, const loupe::StyleConfig& config);

private:
    void addLosses(int step, float contentLoss, float styleLoss);

    QString stylePath_;
    QLineEdit* contentLayer_;
    QLineEdit* styleLayers_;
    QSpinBox* styleWeight_;
    QSpinBox* steps_;
    ImageRow* row_;
    QCustomPlot* plot_;
    StyleTransfer last_;
};

}  // namespace loupe::widgets
