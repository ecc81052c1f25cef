#pragma once

#include "core/unit_examples.h"
#include "widgets/panel.h"

class QCheckBox;
class QCustomPlot;

namespace loupe::widgets {

// The unit's pre-ReLU distribution over a scanned dataset (Curve Detectors figure 6), with a
// log-density toggle, and its contribution to the expected value, activation x density
// (figure 12): where the unit's typical output actually comes from.
class DistributionPanel : public Panel {
    Q_OBJECT
public:
    DistributionPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setDistribution(const UnitExamples& examples);
    void clearDistribution(const QString& message);
    bool logDensity() const;
    int plottedPoints() const;

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    QString exportData() const override;  // the histogram's bins as stored by the scan
    bool exportUsesImage() const override { return false; }  // a unit's, not the photo's

private:
    void replot();

    UnitExamples data_;
    QCheckBox* log_;
    QCustomPlot* density_;
    QCustomPlot* contribution_;
};

}  // namespace loupe::widgets
