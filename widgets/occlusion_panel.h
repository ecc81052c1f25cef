#pragma once

#include "core/attribution.h"
#include "core/occlusion.h"
#include "widgets/panel.h"

#include <QMap>

class QComboBox;
class QLabel;
class QSpinBox;

namespace loupe::widgets {

class OcclusionCanvas;

// Zeiler & Fergus' occlusion experiment: a patch slides over the image and, at each position,
// the map records (a) the drop of the top class's probability, (b) the drop of the selected
// unit's or layer's mean activation, or (c) the top-1 class, drawn as a categorical map with
// a legend. Maps fill in while the job runs; a click reads the value (or class) under it.
class OcclusionPanel : public Panel {
    Q_OBJECT
public:
    enum class Map { ClassProbability, Unit, Layer, TopClass };

    OcclusionPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setTopClass(int index, const QString& label);
    void setInputSize(int size);  // sets patch and stride defaults that fit the model
    void setMap(Map map);
    void setPatch(int patch, int stride);

    // Results (partial ones while the job runs, then the final one).
    void showHeatmap(const AttributionMap& map, bool final);
    void showClasses(const OcclusionClassMap& map, const QMap<int, QString>& labels, bool final);
    void clearMap(const QString& message);
    bool hasResult() const;
    QString valueAt(int x, int y) const;  // model-input pixel: what a click reports

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    QString exportData() const override;

public slots:
    void run();

signals:
    // kind "heat" with an attribution target text, or "classes".
    void occlusionRequested(
        const QString& kind, const QString& target, int patch, int stride, const QString& fill);

private:
    QString targetText() const;

    QComboBox* map_;
    QSpinBox* patch_;
    QSpinBox* stride_;
    QComboBox* fill_;
    OcclusionCanvas* canvas_;
    int topClass_ = -1;
    QString topLabel_;
    QString requestedTarget_;
};

}  // namespace loupe::widgets
