#include "widgets/dissection_panel.h"

#include "core/dissection_report.h"
#include "widgets/image_row.h"
#include "widgets/plot_export.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QPainter>
#include <QSplitter>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace loupe::widgets {
namespace {

enum Column { Thumbnail, Unit, Concept, IoU, Category, RunnerUp, RunnerUpIoU };

QTableWidgetItem* numberItem(double value, int decimals)
{
    auto* item = new QTableWidgetItem;
    item->setData(
        Qt::DisplayRole, std::round(value * std::pow(10, decimals)) / std::pow(10, decimals));
    return item;
}

QDoubleSpinBox* doubleBox(
    double lo, double hi, double value, int decimals, const QString& prefix, const QString& tip)
{
    auto* box = new QDoubleSpinBox;
    box->setRange(lo, hi);
    box->setDecimals(decimals);
    box->setSingleStep(std::pow(10, -decimals));
    box->setValue(value);
    box->setPrefix(prefix);
    box->setToolTip(tip);
    return box;
}

}  // namespace

DissectionPanel::DissectionPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), colours_(new QCheckBox(tr("colours"))),
      quantile_(doubleBox(0.0001, 0.5, 0.005, 4, tr("top "),
          tr("A unit's region: its activations above this upper quantile over the folder "
             "(Bau et al.: 0.005)"))),
      iou_(doubleBox(0.0, 1.0, 0.04, 3, tr("IoU > "),
          tr("A unit whose best concept has a higher IoU is a detector (Bau et al.: 0.04)"))),
      maxImages_(spinBox(0, 10000000, 0, tr("photos "), {},
          tr("Photos of the folder to use, evenly spread (0: all)"))),
      summary_(new QLabel), table_(new QTableWidget(0, 7)), chart_(new QCustomPlot),
      examples_(new ImageRow(tr("Click a unit: the images where its region is largest, the region "
                                "outlined in yellow and its concept in cyan")))
{
    colours_->setChecked(true);
    colours_->setToolTip(tr("The eleven basic colour terms, named per pixel"));
    maxImages_->setSpecialValueText(tr("all photos"));
    toolBar()->addAction(tr("Folder…"), this, &DissectionPanel::chooseFolder);
    toolBar()->addAction(tr("Dissect"), this, &DissectionPanel::run);
    toolBar()->addAction(tr("Labels…"), this, &DissectionPanel::chooseLabels);
    toolBar()->addAction(tr("Synthetic Set…"), this, &DissectionPanel::chooseSyntheticFolder);
    toolBar()->addWidget(colours_);
    toolBar()->addWidget(quantile_);
    toolBar()->addWidget(iou_);
    toolBar()->addWidget(maxImages_);

    table_->setHorizontalHeaderLabels({tr("vis"), tr("unit"), tr("concept"), tr("IoU"),
        tr("category"), tr("runner-up"), tr("IoU")});
    table_->horizontalHeaderItem(Thumbnail)->setToolTip(tr("The unit's feature visualization"));
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(52);
    table_->setIconSize(QSize(48, 48));
    table_->setSortingEnabled(true);
    connect(table_, &QTableWidget::cellClicked, this, [this](int row, int) { rowClicked(row); });

    summary_->setWordWrap(true);
    chart_->setMinimumHeight(160);
    chart_->yAxis->setLabel(tr("count"));
    // The legend goes under the plot, outside the data.
    chart_->legend->setVisible(true);
    chart_->axisRect()->insetLayout()->take(chart_->legend);
    chart_->plotLayout()->addElement(1, 0, chart_->legend);
    chart_->plotLayout()->setRowStretchFactor(1, 0.001);
    chart_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    chart_->legend->setBorderPen(Qt::NoPen);
    examples_->setMinimumHeight(150);

    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(chart_);
    right->addWidget(examples_);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(table_);
    split->addWidget(right);
    split->setSizes({600, 340});
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(summary_);
    layout->addWidget(split, 1);
    setBody(body);
    setStatus(tr("Network dissection (Bau et al. 2017): choose a folder of photos, then Dissect "
                 "the selected layer. Colour concepts work on any photo; Labels… adds your "
                 "segmentation (label PNGs + CSV); Synthetic Set… renders labelled patterns."));
}

void DissectionPanel::setFolder(const QString& folder)
{
    folder_ = folder;
    setStatus(tr("Photos: %1").arg(folder));
}

void DissectionPanel::setLabels(const QString& labelFolder, const QString& csv)
{
    labelFolder_ = labelFolder;
    csv_ = csv;
}

void DissectionPanel::setLayer(const QString& layer)
{
    layer_ = layer;
}

void DissectionPanel::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder of photos"), folder_);
    if (!dir.isEmpty()) {
        setFolder(dir);
        setLabels({}, {});
    }
}

void DissectionPanel::chooseLabels()
{
    const QString dir = QFileDialog::getExistingDirectory(this,
        tr("Folder of label PNGs (same names as the photos, one integer per pixel)"), folder_);
    if (dir.isEmpty())
        return;
    const QString csv = QFileDialog::getOpenFileName(
        this, tr("CSV naming the labels (label,name,category)"), dir, tr("CSV (*.csv)"));
    if (csv.isEmpty())
        return;
    setLabels(dir, csv);
    setStatus(tr("Labels: %1 named by %2").arg(dir, csv));
}

void DissectionPanel::chooseSyntheticFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Folder for the synthetic concept set (rendered once)"), folder_);
    if (!dir.isEmpty())
        emit syntheticRequested(dir, 600);
}

void DissectionPanel::run()
{
    if (folder_.isEmpty()) {
        setStatus(tr("Choose a folder of photos first (Folder…)."));
        return;
    }
    emit dissectionRequested(folder_, labelFolder_, csv_, colours_->isChecked(), quantile_->value(),
        iou_->value(), maxImages_->value());
}

void DissectionPanel::showDissection(const DissectionResult& result, bool fromCache)
{
    result_ = result;
    table_->setSortingEnabled(false);
    table_->setRowCount(int(result.units.size()));
    const auto name = [&](int c) {
        return c >= 0 ? QString::fromStdString(result.concepts[size_t(c)].name) : QString();
    };
    for (int r = 0; r < int(result.units.size()); ++r) {
        const auto& u = result.units[size_t(r)];
        table_->setItem(r, Thumbnail, new QTableWidgetItem);
        table_->setItem(r, Unit, numberItem(u.unit, 0));
        table_->setItem(r, Concept, new QTableWidgetItem(name(u.concept)));
        table_->setItem(r, Category,
            new QTableWidgetItem(u.concept >= 0
                    ? QString::fromStdString(result.concepts[size_t(u.concept)].category)
                    : QString()));
        table_->setItem(r, IoU, numberItem(u.iou, 4));
        table_->setItem(r, RunnerUp, new QTableWidgetItem(name(u.runnerUp)));
        table_->setItem(r, RunnerUpIoU, numberItem(u.runnerUpIoU, 4));
        if (!result.isDetector(u))
            for (int c = Concept; c <= RunnerUpIoU; ++c)
                table_->item(r, c)->setForeground(QColor(130, 130, 130));
    }
    table_->setSortingEnabled(true);
    table_->sortItems(IoU, Qt::DescendingOrder);
    int detectors = 0;
    for (const auto& u : result.units)
        detectors += result.isDetector(u);
    summary_->setText(tr("<b>%1</b>: %2 of %3 units are detectors (IoU > %4) over %5 photos, %6 "
                         "concepts; regions are each unit's top %7 %% (levels %8).")
                          .arg(QString::fromStdString(result.layer))
                          .arg(detectors)
                          .arg(result.units.size())
                          .arg(result.detectorIoU)
                          .arg(result.images.size())
                          .arg(result.concepts.size())
                          .arg(result.quantile * 100)
                          .arg(result.thresholdsFromScan ? tr("from the dataset scan")
                                                         : tr("from a first pass")));
    fillChart();
    examples_->clear();
    setStatus(tr("%1 in %2 s%3; %4 photos could not be read.")
                  .arg(fromCache ? tr("Read from the workspace") : tr("Dissected"))
                  .arg(result.seconds, 0, 'f', 1)
                  .arg(fromCache ? tr(" when computed") : QString())
                  .arg(result.skipped.size()));
}

void DissectionPanel::fillChart()
{
    chart_->clearPlottables();
    const auto categories = result_.detectorsPerCategory();
    QVector<double> ticks, unique, units, left, right;
    QVector<QString> names;
    for (int i = 0; i < int(categories.size()); ++i) {
        ticks << i + 1;
        left << i + 1 - 0.18;
        right << i + 1 + 0.18;
        names << QString::fromStdString(categories[size_t(i)].category);
        unique << categories[size_t(i)].uniqueConcepts;
        units << categories[size_t(i)].units;
    }
    auto* bars = new QCPBars(chart_->xAxis, chart_->yAxis);
    bars->setName(tr("unique concepts detected"));
    bars->setWidth(0.35);
    bars->setBrush(QColor(0, 114, 178));
    bars->setData(left, unique);
    auto* unitBars = new QCPBars(chart_->xAxis, chart_->yAxis);
    unitBars->setName(tr("detector units"));
    unitBars->setWidth(0.35);
    unitBars->setBrush(QColor(230, 159, 0));
    unitBars->setData(right, units);
    auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    ticker->addTicks(ticks, names);
    chart_->xAxis->setTicker(ticker);
    chart_->xAxis->setRange(0.4, double(ticks.size()) + 0.6);
    double highest = 1;
    for (double v : units)
        highest = std::max(highest, v);
    chart_->yAxis->setRange(0, highest * 1.1);
    chart_->replot();
}

void DissectionPanel::setThumbnail(int unit, const QImage& image)
{
    for (int r = 0; r < table_->rowCount(); ++r)
        if (table_->item(r, Unit) && table_->item(r, Unit)->data(Qt::DisplayRole).toInt() == unit)
            table_->item(r, Thumbnail)->setIcon(QPixmap::fromImage(image));
}

void DissectionPanel::rowClicked(int row)
{
    const auto* item = table_->item(row, Unit);
    if (!item)
        return;
    const int unit = item->data(Qt::DisplayRole).toInt();
    if (unit < 0 || unit >= int(result_.units.size()))
        return;
    if (selection())
        selection()->selectUnit(QString::fromStdString(result_.layer), unit);
    examples_->clear();
    emit examplesRequested(unit, result_.units[size_t(unit)].concept);
}

void DissectionPanel::showUnit(int unit)
{
    for (int r = 0; r < table_->rowCount(); ++r)
        if (table_->item(r, Unit) && table_->item(r, Unit)->data(Qt::DisplayRole).toInt() == unit) {
            table_->selectRow(r);
            table_->scrollToItem(table_->item(r, Unit));
            rowClicked(r);
            return;
        }
}

void DissectionPanel::showExamples(
    int unit, const QList<QImage>& images, const QStringList& captions)
{
    examples_->setImages(images, captions);
    if (unit >= 0 && unit < int(result_.units.size())) {
        const auto& u = result_.units[size_t(unit)];
        setStatus(tr("Unit %1: %2 (IoU %3). Yellow: the unit's region; cyan: the concept.")
                      .arg(unit)
                      .arg(u.concept >= 0
                              ? QString::fromStdString(result_.concepts[size_t(u.concept)].name)
                              : tr("no concept"))
                      .arg(u.iou, 0, 'f', 3));
    }
}

void DissectionPanel::clearResult(const QString& message)
{
    setStatus(message);
}

int DissectionPanel::rows() const
{
    return table_->rowCount();
}

QString DissectionPanel::exportName() const
{
    return QStringLiteral("dissection");
}

QSize DissectionPanel::exportSize() const
{
    return QSize(900, 460);
}

void DissectionPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    painter.setPen(Qt::black);
    QFont title = painter.font();
    title.setBold(true);
    painter.setFont(title);
    painter.drawText(QRect(8, 4, size.width() - 16, 24), Qt::AlignLeft | Qt::AlignVCenter,
        tr("Network dissection of %1 (IoU > %2, top %3 % regions, %4 photos)")
            .arg(QString::fromStdString(result_.layer))
            .arg(result_.detectorIoU)
            .arg(result_.quantile * 100)
            .arg(result_.images.size()));
    painter.setFont(QFont());
    paintPlot(painter, chart_, QRect(0, 30, size.width() / 2, size.height() - 30));
    examples_->paintAll(painter, QRect(size.width() / 2, 30, size.width() / 2, size.height() - 30));
}

QJsonObject DissectionPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("layer")] = QString::fromStdString(result_.layer);
    p[QStringLiteral("folder")] = QString::fromStdString(result_.folder);
    p[QStringLiteral("images")] = int(result_.images.size());
    p[QStringLiteral("quantile")] = result_.quantile;
    p[QStringLiteral("detector_iou")] = result_.detectorIoU;
    p[QStringLiteral("mask_size")] = result_.maskSize;
    p[QStringLiteral("labels")] = labelFolder_;
    p[QStringLiteral("concept_csv")] = csv_;
    p[QStringLiteral("thresholds_from_scan")] = result_.thresholdsFromScan;
    return p;
}

QString DissectionPanel::exportData() const
{
    return QString::fromStdString(dissectionUnitsCsv(result_));
}

}  // namespace loupe::widgets
