#pragma once

#include "core/attribution_metrics.h"
#include "core/attribution_sanity.h"
#include "core/map_measures.h"

#include <QJsonObject>
#include <QMap>
#include <QWidget>

class QCustomPlot;
class QLabel;
class QTableWidget;
class QTabWidget;

namespace loupe::widgets {

// The evidence under the Attribution dock's maps: a sortable table with one row per method
// (deletion and insertion AUC, sparseness, complexity, completeness, MuFidelity, ROAD, the
// randomisation checks, the share of the map inside a drawn box), the deletion / insertion
// curves of the chosen row, the randomisation cascade of every checked method (Adebayo's
// figure), and a warning naming each method whose map does not depend on the model.
class AttributionEvidence : public QWidget {
    Q_OBJECT
public:
    explicit AttributionEvidence(QWidget* parent = nullptr);

    void clear();
    // `label` is the method's human name; rows appear in the order methods first arrive.
    void setMetrics(const QString& method, const QString& label, const AttributionMetrics& metrics);
    void setHeavyMetrics(const QString& method, const HeavyAttributionMetrics& metrics);
    void setSanity(const QString& method, const SanityReport& report);
    void setLocalisation(const QString& method, const Localisation& localisation);
    void clearLocalisation();

    bool hasMetrics(const QString& method) const { return metrics_.contains(method); }
    bool hasSanity(const QString& method) const { return sanity_.contains(method); }
    QString warningText() const;
    // Short form for a map's caption: "↓0.12 ↑0.71", deletion and insertion AUC as in the table's
    // headers (empty before the metrics arrive).
    QString captionFor(const QString& method) const;
    bool isFlagged(const QString& method) const;
    QJsonObject toJson(const QString& method) const;  // for the export sidecar
    int rowCount() const;

private:
    class SortingPause;
    int rowOf(const QString& method, const QString& label);
    void setCell(int row, int column, double value, bool valid = true, const QString& tip = {});
    void showCurves(const QString& method);
    void showSelectedCurves();
    void fitTableHeight();
    void showCascades();
    void updateWarning();

    QTableWidget* table_;
    QTabWidget* tabs_;
    QCustomPlot* curves_;
    QCustomPlot* cascades_;
    QLabel* warning_;
    QMap<QString, QString> labels_;
    QMap<QString, AttributionMetrics> metrics_;
    QMap<QString, HeavyAttributionMetrics> heavy_;
    QMap<QString, SanityReport> sanity_;
    QMap<QString, Localisation> localisation_;
};

}  // namespace loupe::widgets
