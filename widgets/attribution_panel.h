#pragma once

#include "core/attribution.h"
#include "core/attribution_metrics.h"
#include "core/attribution_sanity.h"
#include "widgets/panel.h"

#include <QRect>

#include <QMap>

class QComboBox;
class QLineEdit;
class QSlider;

namespace loupe::widgets {

class AttributionCanvas;
class AttributionEvidence;

// Which pixels drive a class or a unit: one method overlaid on the image with adjustable
// opacity (signed maps diverging, others magma), or every method side by side (Compare).
// The target is the top predicted class or the selected unit; Grad-CAM uses the selected
// layer. Clicking the map shows the value under the cursor. Under the maps, the evidence: each
// map's deletion / insertion curves and measures as they arrive, and on request the heavier
// measures and the randomisation sanity check; a box drawn on a map (Object box) gives each
// map's energy inside it and whether its peak falls inside (pointing game).
class AttributionPanel : public Panel {
    Q_OBJECT
public:
    AttributionPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setTopClass(int index, const QString& label);
    // The model's class names, offered by the "class…" target's completer; any of them (or a
    // class number) can be explained, not only the top class.
    void setClassLabels(const QStringList& labels);
    void setClassTarget(const QString& nameOrNumber);
    // "saliency", …, or "compare all"; false if there is no such method.
    bool setMethod(const QString& method);
    // Explain the selected unit (true) or the top class (false).
    void setUnitTarget(bool unit);
    void clearMaps(const QString& message);
    void addMap(const QString& method, const AttributionMap& map);
    // A compared method that cannot take this target or layer: its cell says why.
    void addUnavailable(const QString& method, const QString& reason);
    int mapCount() const { return maps_.size(); }
    void setMetrics(const QString& method, const loupe::AttributionMetrics& metrics);
    void setHeavyMetrics(const QString& method, const loupe::HeavyAttributionMetrics& metrics);
    void setSanity(const QString& method, const loupe::SanityReport& report);
    // The object's box in model-input pixels (an empty rect clears it).
    void setObjectBox(const QRect& box);
    AttributionEvidence* evidence() const { return evidence_; }
    QString unavailableReason(const QString& method) const;

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    QString exportTitle(const FigureContext& context) const override;
    QString exportData() const override;

public slots:
    void compute();
    void requestHeavyMetrics();
    void requestSanityCheck();

signals:
    void attributionRequested(
        const QStringList& methods, const QString& target, const QString& layer);
    // kind: "heavy" (MuFidelity, ROAD) or "sanity" (randomisation checks), for the maps shown.
    void evidenceRequested(const QString& kind, const QStringList& methods, const QString& target,
        const QString& layer);

private:
    QString targetText() const;
    int chosenClass() const;  // from className_: a label (any case) or a number; -1 if neither
    void showMaps();
    void requestEvidence(const QString& kind);
    void updateLocalisation();
    static QString methodLabel(const QString& method);  // "ig" -> "Integrated gradients"

    QComboBox* method_;
    QComboBox* target_;
    QLineEdit* className_;
    QStringList classLabels_;
    QSlider* opacity_;
    AttributionCanvas* canvas_;
    AttributionEvidence* evidence_;
    QRect objectBox_;
    QString shownTarget_, shownLayer_;  // what the maps on show explain
    QMap<QString, AttributionMap> maps_;  // by method name; no values when unavailable
    QMap<QString, QString> unavailable_;
    QStringList order_;
    int topClass_ = -1;
    QString topLabel_;
};

}  // namespace loupe::widgets
