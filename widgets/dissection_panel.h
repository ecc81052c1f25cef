#pragma once

#include "core/dissection.h"
#include "widgets/panel.h"

class QCheckBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QTableWidget;

namespace loupe::widgets {

class ImageRow;

// Network dissection of the selected layer (Bau et al. 2017): per unit its best concept, IoU,
// category and runner-up in a sortable table with feature-vis thumbnails; the layer's unique
// detectors per category as bars; and for the clicked unit, the images where its region is
// largest with the region (yellow) and the concept's mask (cyan) outlined. A click selects the
// unit everywhere.
class DissectionPanel : public Panel {
    Q_OBJECT
public:
    DissectionPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setFolder(const QString& folder);
    void setLabels(const QString& labelFolder, const QString& csv);
    void setLayer(const QString& layer);
    QString folder() const { return folder_; }
    void showDissection(const DissectionResult& result, bool fromCache);
    void setThumbnail(int unit, const QImage& image);
    void showExamples(int unit, const QList<QImage>& images, const QStringList& captions);
    void clearResult(const QString& message);
    int rows() const;
    const DissectionResult& result() const { return result_; }
    // Selects the unit's row (as a click would) and asks for its examples.
    void showUnit(int unit);

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    QString exportData() const override;

public slots:
    void chooseFolder();
    void chooseLabels();
    void chooseSyntheticFolder();
    void run();

signals:
    void dissectionRequested(const QString& folder, const QString& labelFolder, const QString& csv,
        bool colours, double quantile, double detectorIoU, int maxImages);
    void syntheticRequested(const QString& folder, int images);
    void examplesRequested(int unit, int concept);

private:
    void fillChart();
    void rowClicked(int row);

    QString folder_;
    QString labelFolder_;
    QString csv_;
    QString layer_;
    QCheckBox* colours_;
    QDoubleSpinBox* quantile_;
    QDoubleSpinBox* iou_;
    QSpinBox* maxImages_;
    QLabel* summary_;
    QTableWidget* table_;
    QCustomPlot* chart_;
    ImageRow* examples_;
    DissectionResult result_;
};

}  // namespace loupe::widgets
