#pragma once

#include <QJsonObject>
#include <QSize>
#include <QString>

class QPainter;
class QWidget;

namespace loupe::widgets {

// What every exportable view provides. The same painting code serves PNG (raster at the
// chosen DPI), SVG and PDF (vector where the view draws vectors, e.g. plots).
class Exportable {
public:
    virtual ~Exportable() = default;
    virtual QString exportName() const = 0;  // default file name stem
    virtual QSize exportSize() const = 0;  // logical size in points (1/72 in) at 72 DPI
    virtual void paintExport(QPainter& painter, const QSize& size) const = 0;
    virtual QJsonObject exportParameters() const = 0;  // everything that produced the view
    // The numbers behind the figure as CSV (plots people put in papers are re-plotted from
    // these); written next to the figure as <stem>.csv when non-empty.
    virtual QString exportData() const { return {}; }
    // The line printed above the figure (model, layer, unit or class by name, method by its
    // human name); empty: no title band.
    virtual QString exportTitle(const struct FigureContext& context) const;
    // Whether the figure depends on the open image / the selected unit: the sidecar names
    // them only then (a unit's tuning curve is not "of" the photo that happens to be open).
    virtual bool exportUsesImage() const { return true; }
    virtual bool exportUsesUnit() const { return true; }
};

// Context shared by all panels' exports: which model and image produced the figure.
struct FigureContext {
    QString modelPath;
    QString modelHash;
    QString imagePath;
    QString unit;
    QString modelName;  // from the model's metadata, e.g. "BVLC GoogLeNet"
};

// The height of the title band above an exported figure, in points.
constexpr int kFigureTitleHeight = 26;

struct ExportResult {
    bool ok = false;
    QString error;
    QString sidecarPath;
    QString dataPath;  // empty when the view has no data table
};

// Writes `path` (.png, .svg or .pdf by suffix) and `path`.json next to it, atomically: a
// failure leaves no half-written figure. dpi applies to PNG.
ExportResult exportFigure(
    const Exportable& view, const QString& path, int dpi, const FigureContext& context);

// The dialog flow used by every panel's Export… action: choose file and DPI, export, report.
void runExportDialog(QWidget* parent, const Exportable& view, const FigureContext& context);

}  // namespace loupe::widgets
