#include "widgets/figure_export.h"

#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QJsonDocument>
#include <QMessageBox>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSettings>
#include <QSvgGenerator>

#include <cmath>
#include <functional>

namespace loupe::widgets {

QString Exportable::exportTitle(const FigureContext&) const
{
    return {};
}

namespace {

// The figure as written: the title band (when there is a title), then the view below it.
QSize figureSize(const Exportable& view, const QString& title)
{
    return view.exportSize() + QSize(0, title.isEmpty() ? 0 : kFigureTitleHeight);
}

void paintFigure(QPainter& painter, const Exportable& view, const QString& title)
{
    if (!title.isEmpty()) {
        const QSize size = view.exportSize();
        painter.fillRect(QRect(0, 0, size.width(), kFigureTitleHeight), Qt::white);
        QFont font = painter.font();
        font.setPointSizeF(11);
        font.setBold(true);
        painter.save();
        painter.setFont(font);
        painter.setPen(Qt::black);
        painter.drawText(QRect(8, 0, size.width() - 16, kFigureTitleHeight),
            Qt::AlignLeft | Qt::AlignVCenter,
            painter.fontMetrics().elidedText(title, Qt::ElideRight, size.width() - 16));
        painter.restore();
        painter.translate(0, kFigureTitleHeight);
    }
    view.paintExport(painter, view.exportSize());
}

bool writePng(
    const Exportable& view, const QString& title, const QString& path, int dpi, QString& error)
{
    const QSize logical = figureSize(view, title);
    const double scale = dpi / 72.0;
    QImage image((QSizeF(logical) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    // Painted at 72 dpi, where a point is one logical unit, then scaled: fonts (sized in
    // points) and everything else grow together. Painting at the target dpi would scale text
    // twice. The file then records the real resolution.
    const int pointsPerMeter = int(std::lround(72 / 0.0254));
    image.setDotsPerMeterX(pointsPerMeter);
    image.setDotsPerMeterY(pointsPerMeter);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.scale(scale, scale);
        paintFigure(painter, view, title);
    }
    image.setDotsPerMeterX(int(std::lround(dpi / 0.0254)));
    image.setDotsPerMeterY(int(std::lround(dpi / 0.0254)));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
        error = file.errorString();
        return false;
    }
    return true;
}

// Vector painters write as they paint; a QSaveFile keeps the target untouched until commit,
// so a failed export never leaves a half-written figure.
bool writeVector(const QString& path, QString& error, const std::function<void(QIODevice&)>& paint)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        error = file.errorString();
        return false;
    }
    paint(file);
    if (!file.commit()) {
        error = file.errorString();
        return false;
    }
    return true;
}

bool writeSvg(const Exportable& view, const QString& title, const QString& path, QString& error)
{
    return writeVector(path, error, [&](QIODevice& device) {
        const QSize size = figureSize(view, title);
        QSvgGenerator svg;
        svg.setOutputDevice(&device);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(title.isEmpty() ? view.exportName() : title);
        svg.setDescription(QStringLiteral("Exported by Loupe"));
        QPainter painter(&svg);
        paintFigure(painter, view, title);
    });
}

bool writePdf(const Exportable& view, const QString& title, const QString& path, QString& error)
{
    return writeVector(path, error, [&](QIODevice& device) {
        const QSize size = figureSize(view, title);
        QPdfWriter pdf(&device);
        pdf.setPageSize(QPageSize(QSizeF(size), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setResolution(72);
        pdf.setTitle(title.isEmpty() ? view.exportName() : title);
        pdf.setCreator(QStringLiteral("Loupe"));
        QPainter painter(&pdf);
        paintFigure(painter, view, title);
    });
}

}  // namespace

ExportResult exportFigure(
    const Exportable& view, const QString& path, int dpi, const FigureContext& context)
{
    ExportResult result;
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QFileInfo dir(QFileInfo(path).absolutePath());
    if (!dir.exists() || !dir.isDir()) {
        result.error = QStringLiteral("folder '%1' does not exist").arg(dir.filePath());
        return result;
    }
    if (!dir.isWritable()) {
        result.error = QStringLiteral("folder '%1' is not writable").arg(dir.filePath());
        return result;
    }
    QString error;
    bool ok = false;
    const QString title = view.exportTitle(context);
    if (suffix == QLatin1String("png"))
        ok = writePng(view, title, path, qBound(36, dpi, 1200), error);
    else if (suffix == QLatin1String("svg"))
        ok = writeSvg(view, title, path, error);
    else if (suffix == QLatin1String("pdf"))
        ok = writePdf(view, title, path, error);
    else
        error = QStringLiteral("unknown figure format '.%1' (use .png, .svg or .pdf)").arg(suffix);
    if (!ok) {
        result.error = QStringLiteral("cannot write '%1': %2").arg(path, error);
        return result;
    }

    QJsonObject sidecar;
    const QString data = view.exportData();
    if (!data.isEmpty()) {
        const QFileInfo figure(path);
        const QString dataPath = figure.absolutePath() + QLatin1Char('/') +
            figure.completeBaseName() + QStringLiteral(".csv");
        QSaveFile csv(dataPath);
        if (!csv.open(QIODevice::WriteOnly) || csv.write(data.toUtf8()) < 0 || !csv.commit()) {
            result.error = QStringLiteral("figure written, but not its data '%1': %2")
                               .arg(dataPath, csv.errorString());
            return result;
        }
        result.dataPath = dataPath;
        sidecar[QStringLiteral("data")] = QFileInfo(dataPath).fileName();
    }
    sidecar[QStringLiteral("figure")] = QFileInfo(path).fileName();
    sidecar[QStringLiteral("format")] = suffix;
    if (suffix == QLatin1String("png"))
        sidecar[QStringLiteral("dpi")] = dpi;
    sidecar[QStringLiteral("view")] = view.exportName();
    sidecar[QStringLiteral("model")] = context.modelPath;
    sidecar[QStringLiteral("model_hash")] = context.modelHash;
    if (!title.isEmpty())
        sidecar[QStringLiteral("title")] = title;
    // Only what the figure depends on: no photo for a unit's tuning curve, and so on.
    if (view.exportUsesImage())
        sidecar[QStringLiteral("image")] = context.imagePath;
    if (view.exportUsesUnit())
        sidecar[QStringLiteral("unit")] = context.unit;
    sidecar[QStringLiteral("parameters")] = view.exportParameters();
    sidecar[QStringLiteral("created")] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    sidecar[QStringLiteral("generator")] = QStringLiteral("Loupe");
    result.sidecarPath = path + QStringLiteral(".json");
    QSaveFile json(result.sidecarPath);
    if (!json.open(QIODevice::WriteOnly) || json.write(QJsonDocument(sidecar).toJson()) < 0 ||
        !json.commit()) {
        result.error = QStringLiteral("figure written, but not its sidecar '%1': %2")
                           .arg(result.sidecarPath, json.errorString());
        return result;
    }
    result.ok = true;
    return result;
}

void runExportDialog(QWidget* parent, const Exportable& view, const FigureContext& context)
{
    QSettings settings;
    const QString lastDir =
        settings.value(QStringLiteral("export/lastDirectory"), QDir::homePath()).toString();
    QString selectedFilter;
    const QString path =
        QFileDialog::getSaveFileName(parent, QObject::tr("Export %1").arg(view.exportName()),
            lastDir + QLatin1Char('/') + view.exportName() + QStringLiteral(".png"),
            QObject::tr("PNG image (*.png);;SVG vector (*.svg);;PDF document (*.pdf)"),
            &selectedFilter);
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("export/lastDirectory"), QFileInfo(path).absolutePath());
    int dpi = settings.value(QStringLiteral("export/dpi"), 300).toInt();
    if (QFileInfo(path).suffix().compare(QLatin1String("png"), Qt::CaseInsensitive) == 0) {
        bool ok = false;
        dpi = QInputDialog::getInt(parent, QObject::tr("PNG resolution"),
            QObject::tr("Dots per inch:"), dpi, 36, 1200, 1, &ok);
        if (!ok)
            return;
        settings.setValue(QStringLiteral("export/dpi"), dpi);
    }
    const ExportResult result = exportFigure(view, path, dpi, context);
    if (!result.ok)
        QMessageBox::warning(parent, QObject::tr("Export failed"), result.error);
}

}  // namespace loupe::widgets
