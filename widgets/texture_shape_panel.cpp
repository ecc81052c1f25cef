#include "widgets/texture_shape_panel.h"

#include "widgets/image_row.h"
#include "widgets/plot_export.h"
#include "widgets/spin_box.h"

#include <QFileDialog>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QPainter>
#include <QSplitter>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>

namespace loupe::widgets {
namespace {

QTableWidget* table(const QStringList& headers)
{
    auto* t = new QTableWidget(0, int(headers.size()));
    t->setHorizontalHeaderLabels(headers);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    t->horizontalHeader()->setStretchLastSection(true);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);  // rows as computed
    t->setSortingEnabled(true);
    t->verticalHeader()->setVisible(false);
    return t;
}

QTableWidgetItem* numberItem(double value, int decimals = 3)
{
    auto* item = new QTableWidgetItem;
    item->setData(
        Qt::DisplayRole, std::round(value * std::pow(10, decimals)) / std::pow(10, decimals));
    return item;
}

}  // namespace

TextureShapePanel::TextureShapePanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent),
      row_(new ImageRow(tr("Choose a folder of labelled photos (class folders or ImageNet file "
                           "names), then Shape Bias or Degradations"))),
      bias_(new QLabel),
      pairTable_(table({tr("cue conflict"), tr("shape"), tr("texture"), tr("top-1"), tr("p"),
          tr("p(shape)"), tr("p(texture)"), tr("decision")})),
      degradationTable_(table({tr("degradation"), tr("images"), tr("top-1"), tr("top-5"),
          tr("top-1 acc."), tr("top-5 acc."), tr("skipped")})),
      chart_(new QCustomPlot)
{
    pairs_ = spinBox(1, 500, 10, tr("pairs "), {}, tr("Cue-conflict images to make"));
    steps_ = spinBox(10, 2000, 150, {}, tr(" steps"), tr("Style-transfer steps per image"));
    maxImages_ = spinBox(0, 1000000, 100, tr("photos "), {},
        tr("Photos for the degradation table, spread over the folder (0: all)"));
    maxImages_->setSpecialValueText(tr("all photos"));
    // The verbs first: a narrow dock hides the tool bar's tail behind its » menu.
    toolBar()->addAction(tr("Folder…"), this, &TextureShapePanel::chooseFolder);
    toolBar()->addAction(tr("Shape Bias"), this, &TextureShapePanel::runShapeBias);
    toolBar()->addAction(tr("Degradations"), this, &TextureShapePanel::runDegradations);
    toolBar()->addAction(tr("Masks…"), this, &TextureShapePanel::chooseMasksFolder);
    toolBar()->addWidget(pairs_);
    toolBar()->addWidget(steps_);
    toolBar()->addWidget(maxImages_);

    row_->setMinimumHeight(130);
    bias_->setWordWrap(true);
    chart_->setMinimumHeight(140);
    chart_->yAxis->setLabel(tr("accuracy"));
    chart_->xAxis->setTickLabelRotation(35);
    chart_->yAxis->setRange(0, 1);
    chart_->legend->setVisible(true);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(bias_);
    leftLayout->addWidget(pairTable_);
    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(degradationTable_);
    right->addWidget(chart_);
    right->setSizes({170, 260});  // five rows; the chart gets the rest
    auto* lower = new QSplitter(Qt::Horizontal);
    lower->addWidget(left);
    lower->addWidget(right);
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(row_, 2);
    layout->addWidget(lower, 3);
    setBody(body);
    setStatus(tr("Texture vs shape (Geirhos et al. 2019): cue conflicts and degradations."));
}

void TextureShapePanel::setFolder(const QString& folder)
{
    folder_ = folder;
    setStatus(tr("Photos: %1").arg(folder));
}

void TextureShapePanel::setMasksFolder(const QString& folder)
{
    masks_ = folder;
}

void TextureShapePanel::setPairs(int pairs)
{
    pairs_->setValue(pairs);
}

void TextureShapePanel::setSteps(int steps)
{
    steps_->setValue(steps);
}

void TextureShapePanel::setMaxImages(int images)
{
    maxImages_->setValue(images);
}

void TextureShapePanel::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Labelled Photos"), folder_);
    if (!dir.isEmpty())
        setFolder(dir);
}

void TextureShapePanel::chooseMasksFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Object Masks (same names as the photos, .png)"), masks_);
    if (!dir.isEmpty())
        setMasksFolder(dir);
}

void TextureShapePanel::runShapeBias()
{
    if (folder_.isEmpty()) {
        setStatus(tr("Choose a folder of labelled photos first (Folder…)."));
        return;
    }
    emit shapeBiasRequested(folder_, pairs_->value(), steps_->value());
}

void TextureShapePanel::runDegradations()
{
    if (folder_.isEmpty()) {
        setStatus(tr("Choose a folder of labelled photos first (Folder…)."));
        return;
    }
    emit degradationsRequested(folder_, masks_, maxImages_->value());
}

void TextureShapePanel::startShapeBias(int pairs)
{
    row_->clear();
    for (int i = 0; i < std::min(pairs, 8); ++i)
        row_->setImage(i, QImage(), tr("pair %1").arg(i + 1));
    setStatus(tr("Making %1 cue-conflict images by style transfer…").arg(pairs));
}

void TextureShapePanel::showCueConflict(int pair, const QImage& image, int step)
{
    if (pair < 8)
        row_->setImage(pair, image, tr("pair %1, step %2").arg(pair + 1).arg(step));
}

void TextureShapePanel::showShapeBias(
    const ShapeBias& bias, const QList<QImage>& images, const QStringList& classLabels)
{
    lastBias_ = bias;
    lastLabels_ = classLabels;
    const auto name = [&](int k) { return classLabels.value(k, QString::number(k)); };
    QStringList captions;
    for (int i = 0; i < std::min<int>(8, int(images.size())); ++i)
        captions << tr("%1 / %2\n→ %3")
                        .arg(name(bias.rows[size_t(i)].shapeClass),
                            name(bias.rows[size_t(i)].textureClass),
                            QString::fromLatin1(cueDecisionName(bias.rows[size_t(i)].decision)));
    row_->setImages(images.mid(0, 8), captions);
    pairTable_->setSortingEnabled(false);
    pairTable_->setRowCount(int(bias.rows.size()));
    for (int r = 0; r < int(bias.rows.size()); ++r) {
        const auto& row = bias.rows[size_t(r)];
        auto* image = new QTableWidgetItem(QString::fromStdString(row.name));
        if (r < images.size())
            image->setIcon(QIcon(QPixmap::fromImage(images[r].scaled(48, 48))));
        pairTable_->setItem(r, 0, image);
        pairTable_->setItem(r, 1, new QTableWidgetItem(name(row.shapeClass)));
        pairTable_->setItem(r, 2, new QTableWidgetItem(name(row.textureClass)));
        pairTable_->setItem(r, 3, new QTableWidgetItem(name(row.predicted)));
        pairTable_->setItem(r, 4, numberItem(row.predictedProbability));
        pairTable_->setItem(r, 5, numberItem(row.shapeProbability, 4));
        pairTable_->setItem(r, 6, numberItem(row.textureProbability, 4));
        pairTable_->setItem(
            r, 7, new QTableWidgetItem(QString::fromLatin1(cueDecisionName(row.decision))));
    }
    pairTable_->setSortingEnabled(true);
    const QString value = std::isnan(bias.bias()) ? tr("undefined (no shape or texture decision)")
                                                  : QString::number(bias.bias(), 'f', 2);
    bias_->setText(tr("<b>Shape bias %1</b> — %2 shape, %3 texture, %4 other decisions of %5 "
                      "(forced choice between the two classes: %6)")
                       .arg(value)
                       .arg(bias.shape)
                       .arg(bias.texture)
                       .arg(bias.neither)
                       .arg(bias.rows.size())
                       .arg(std::isnan(bias.forcedChoiceBias())
                               ? QStringLiteral("–")
                               : QString::number(bias.forcedChoiceBias(), 'f', 2)));
    setStatus(tr("Shape bias = shape / (shape + texture) decisions, as Geirhos et al. define it."));
}

void TextureShapePanel::showDegradations(const DegradationTable& result)
{
    lastTable_ = result;
    degradationTable_->setSortingEnabled(false);
    degradationTable_->setRowCount(int(result.rows.size()));
    QVector<double> ticks, top1, top5;
    QVector<QString> names;
    for (int r = 0; r < int(result.rows.size()); ++r) {
        const auto& row = result.rows[size_t(r)];
        degradationTable_->setItem(
            r, 0, new QTableWidgetItem(QString::fromLatin1(degradationName(row.kind))));
        degradationTable_->setItem(r, 1, numberItem(row.images, 0));
        degradationTable_->setItem(r, 2, numberItem(row.top1, 0));
        degradationTable_->setItem(r, 3, numberItem(row.top5, 0));
        degradationTable_->setItem(r, 4, numberItem(row.top1Accuracy()));
        degradationTable_->setItem(r, 5, numberItem(row.top5Accuracy()));
        degradationTable_->setItem(r, 6, numberItem(row.skipped, 0));
        ticks << r + 1;
        names << QString::fromLatin1(degradationName(row.kind));
        top1 << row.top1Accuracy();
        top5 << row.top5Accuracy();
    }
    degradationTable_->setSortingEnabled(true);
    chart_->clearPlottables();
    auto* bars1 = new QCPBars(chart_->xAxis, chart_->yAxis);
    auto* bars5 = new QCPBars(chart_->xAxis, chart_->yAxis);
    bars1->setName(tr("top-1"));
    bars5->setName(tr("top-5"));
    bars1->setWidth(0.35);
    bars5->setWidth(0.35);
    bars1->setBrush(QColor(60, 110, 190));
    bars5->setBrush(QColor(150, 180, 225));
    QVector<double> left, right;
    for (double t : ticks) {
        left << t - 0.18;
        right << t + 0.18;
    }
    bars1->setData(left, top1);
    bars5->setData(right, top5);
    auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    ticker->addTicks(ticks, names);
    chart_->xAxis->setTicker(ticker);
    chart_->xAxis->setRange(0.4, double(ticks.size()) + 0.6);
    chart_->yAxis->setRange(0, 1);
    chart_->replot();
    setStatus(tr("%1 labelled photos; %2 left out (no class or not decodable).")
                  .arg(result.photos)
                  .arg(result.leftOut.size()));
}

void TextureShapePanel::clearResult(const QString& message)
{
    setStatus(message);
}

int TextureShapePanel::pairRows() const
{
    return pairTable_->rowCount();
}

int TextureShapePanel::degradationRows() const
{
    return degradationTable_->rowCount();
}

QString TextureShapePanel::exportName() const
{
    return QStringLiteral("texture-vs-shape");
}

QSize TextureShapePanel::exportSize() const
{
    return QSize(900, 420);
}

void TextureShapePanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    row_->paintAll(painter, QRect(0, 0, size.width(), 200));
    painter.setPen(Qt::black);
    painter.drawText(QRect(8, 205, size.width() / 2 - 16, 60), Qt::TextWordWrap,
        bias_->text().remove(QStringLiteral("<b>")).remove(QStringLiteral("</b>")));
    paintPlot(painter, chart_, QRect(size.width() / 2, 205, size.width() / 2, size.height() - 205));
}

QJsonObject TextureShapePanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("pairs")] = int(lastBias_.rows.size());
    p[QStringLiteral("style_steps")] = steps_->value();
    if (!std::isnan(lastBias_.bias()))
        p[QStringLiteral("shape_bias")] = lastBias_.bias();
    p[QStringLiteral("shape_decisions")] = lastBias_.shape;
    p[QStringLiteral("texture_decisions")] = lastBias_.texture;
    p[QStringLiteral("other_decisions")] = lastBias_.neither;
    QJsonArray rows;
    for (const auto& r : lastTable_.rows) {
        QJsonObject o;
        o[QStringLiteral("degradation")] = QString::fromLatin1(degradationName(r.kind));
        o[QStringLiteral("images")] = r.images;
        o[QStringLiteral("top1")] = r.top1;
        o[QStringLiteral("top5")] = r.top5;
        o[QStringLiteral("skipped")] = r.skipped;
        rows.append(o);
    }
    p[QStringLiteral("degradations")] = rows;
    return p;
}

QString TextureShapePanel::exportData() const
{
    QString csv = QStringLiteral("cue_conflict,shape_class,texture_class,top1,decision\n");
    for (const auto& r : lastBias_.rows)
        csv += QStringLiteral("%1,%2,%3,%4,%5\n")
                   .arg(QString::fromStdString(r.name))
                   .arg(lastLabels_.value(r.shapeClass))
                   .arg(lastLabels_.value(r.textureClass))
                   .arg(lastLabels_.value(r.predicted))
                   .arg(QString::fromLatin1(cueDecisionName(r.decision)));
    return csv;
}

}  // namespace loupe::widgets
