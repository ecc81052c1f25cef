#pragma once

#include "core/degradations.h"
#include "core/shape_bias.h"
#include "widgets/panel.h"

class QCustomPlot;
class QLabel;
class QSpinBox;
class QTableWidget;

namespace loupe::widgets {

class ImageRow;

// Texture vs shape (Geirhos et al. 2019) over a folder of labelled photos: cue-conflict images
// made by style transfer and the model's shape bias with the per-pair table; and the model's
// top-1/top-5 accuracy under greyscale, edges, silhouettes and texture patches, as a table and
// a bar chart.
class TextureShapePanel : public Panel {
    Q_OBJECT
public:
    TextureShapePanel(const PanelServices& services, QWidget* parent = nullptr);

    QString folder() const { return folder_; }
    void setFolder(const QString& folder);
    void setMasksFolder(const QString& folder);
    void setPairs(int pairs);
    void setSteps(int steps);
    void setMaxImages(int images);
    void startShapeBias(int pairs);
    void showCueConflict(int pair, const QImage& image, int step);
    // classLabels: the model's labels, to name the classes.
    void showShapeBias(
        const ShapeBias& bias, const QList<QImage>& images, const QStringList& classLabels);
    void showDegradations(const DegradationTable& table);
    void clearResult(const QString& message);
    int pairRows() const;
    int degradationRows() const;

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesUnit() const override { return false; }  // the image's, not a unit's
    QString exportData() const override;

public slots:
    void chooseFolder();
    void chooseMasksFolder();
    void runShapeBias();
    void runDegradations();

signals:
    void shapeBiasRequested(const QString& folder, int pairs, int steps);
    void degradationsRequested(const QString& folder, const QString& masksFolder, int maxImages);

private:
    QString folder_;
    QString masks_;
    QSpinBox* pairs_;
    QSpinBox* steps_;
    QSpinBox* maxImages_;
    ImageRow* row_;
    QLabel* bias_;
    QTableWidget* pairTable_;
    QTableWidget* degradationTable_;
    QCustomPlot* chart_;
    ShapeBias lastBias_;
    QStringList lastLabels_;
    DegradationTable lastTable_;
};

}  // namespace loupe::widgets
