#include "widgets/unit_page_panel.h"

#include "widgets/image_row.h"
#include "widgets/plot_export.h"
#include "widgets/qt_image.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QClipboard>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>

namespace loupe::widgets {
namespace {

constexpr int kExamplesShown = 8;
constexpr int kRenders = 4;

QLabel* sectionTitle(const QString& text)
{
    auto* label = new QLabel(text);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

QCustomPlot* smallPlot(const QString& xLabel, const QString& yLabel, const QColor& colour)
{
    auto* plot = new QCustomPlot;
    plot->setMinimumHeight(170);
    plot->addGraph();
    plot->graph(0)->setPen(QPen(colour, 1.5));
    plot->graph(0)->setBrush(QColor(colour.red(), colour.green(), colour.blue(), 60));
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(yLabel);
    return plot;
}

QString exampleCaption(const ExampleTile& tile)
{
    return QStringLiteral("%1\n%2")
        .arg(tile.value, 0, 'f', 2)
        .arg(QFileInfo(QString::fromStdString(tile.path)).fileName());
}

QString neighbourCaption(const UnitNeighbour& n)
{
    return QStringLiteral("%1:%2\n%3")
        .arg(QString::fromStdString(n.layer))
        .arg(n.channel)
        .arg(n.value, 0, 'g', 3);
}

}  // namespace

UnitPagePanel::UnitPagePanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), heading_(new QLabel), linkField_(new QLineEdit),
      renders_(new ImageRow(tr("Select a unit (click a channel, or type layer:channel in the "
                               "layer search) to see its page."))),
      examplesNote_(new QLabel), top_(new ImageRow(QString())), bottom_(new ImageRow(QString())),
      distribution_(smallPlot(tr("pre-ReLU activation"), tr("density"), QColor(60, 110, 190))),
      tuningPlot_(smallPlot(tr("orientation (degrees)"), tr("response"), QColor(200, 110, 30))),
      neighboursNote_(new QLabel), inputs_(new ImageRow(QString())),
      outputs_(new ImageRow(QString()))
{
    QFont big = heading_->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    heading_->setFont(big);
    heading_->setWordWrap(true);
    linkField_->setReadOnly(true);
    linkField_->setToolTip(
        tr("A stable link to this unit of this exact model file: paste it in "
           "Loupe (Edit > Go to Unit…, or the layer search) or give it on the command line"));
    auto* copy = new QPushButton(tr("Copy Link"));
    copy->setObjectName(QStringLiteral("copyLink"));
    connect(copy, &QPushButton::clicked, this, &UnitPagePanel::copyLink);
    for (QLabel* note : {examplesNote_, neighboursNote_}) {
        note->setWordWrap(true);
        note->setStyleSheet(QStringLiteral("color: #666"));
    }
    const auto openNeighbour = [this](const std::vector<UnitNeighbour>& units, int i) {
        if (i < int(units.size()))
            emit unitActivated(
                QString::fromStdString(units[size_t(i)].layer), units[size_t(i)].channel);
    };
    inputs_->setClickHandler(
        [this, openNeighbour](int i) { openNeighbour(neighbours_.inputs, i); });
    outputs_->setClickHandler(
        [this, openNeighbour](int i) { openNeighbour(neighbours_.outputs, i); });
    const auto openExample = [this](const std::vector<ExampleTile>& tiles, int i) {
        if (i < int(tiles.size()))
            emit exampleActivated(QString::fromStdString(examples_.folder),
                QString::fromStdString(tiles[size_t(i)].path));
    };
    top_->setClickHandler([this, openExample](int i) { openExample(examples_.top, i); });
    bottom_->setClickHandler([this, openExample](int i) { openExample(examples_.bottom, i); });

    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    auto* linkRow = new QHBoxLayout;
    linkRow->addWidget(linkField_, 1);
    linkRow->addWidget(copy);
    layout->addWidget(heading_);
    layout->addLayout(linkRow);
    layout->addWidget(sectionTitle(tr("Feature visualization")));
    layout->addWidget(renders_);
    layout->addWidget(sectionTitle(tr("Dataset examples: strongest")));
    layout->addWidget(examplesNote_);
    layout->addWidget(top_);
    layout->addWidget(sectionTitle(tr("Dataset examples: weakest (most negative)")));
    layout->addWidget(bottom_);
    auto* plots = new QHBoxLayout;
    auto* left = new QVBoxLayout;
    left->addWidget(sectionTitle(tr("Distribution over the scan")));
    left->addWidget(distribution_);
    auto* right = new QVBoxLayout;
    right->addWidget(sectionTitle(tr("Orientation tuning")));
    right->addWidget(tuningPlot_);
    plots->addLayout(left, 1);
    plots->addLayout(right, 1);
    layout->addLayout(plots);
    layout->addWidget(sectionTitle(tr("Neighbours: strongest inputs")));
    layout->addWidget(neighboursNote_);
    layout->addWidget(inputs_);
    layout->addWidget(sectionTitle(tr("Neighbours: units it drives most")));
    layout->addWidget(outputs_);
    layout->addStretch();

    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(page);
    setBody(scroll);
}

void UnitPagePanel::showUnit(
    const QString& layer, int channel, const QString& title, const QString& link)
{
    layer_ = layer;
    channel_ = channel;
    title_ = title;
    link_ = link;
    heading_->setText(title);
    linkField_->setText(link);
    QList<QImage> blank;
    QStringList captions;
    for (int i = 0; i < kRenders; ++i) {
        blank << QImage();
        captions << tr("rendering…");
    }
    renders_->setImages(blank, captions);
    clearExamples(tr("reading the scan…"));
    neighbours_ = {};
    neighboursImage_.clear();
    neighboursNote_->setText(tr("measuring…"));
    inputs_->clear();
    outputs_->clear();
    setTuning(std::nullopt);
    setStatus(QString());
}

void UnitPagePanel::setRender(int index, const QString& caption, const QImage& image)
{
    renders_->setImage(index, image, caption);
}

void UnitPagePanel::setRenderFailed(const QString& message)
{
    setStatus(message);
}

int UnitPagePanel::renderedCount() const
{
    int n = 0;
    for (int i = 0; i < renders_->count(); ++i)
        n += !renders_->image(i).isNull();
    return n;
}

QImage UnitPagePanel::renderImage(int index) const
{
    return renders_->image(index);
}

void UnitPagePanel::setExamples(const UnitExamples& examples, const QString& scanDescription)
{
    examples_ = examples;
    scanDescription_ = scanDescription;
    examplesNote_->setText(scanDescription +
        tr(" — activation · file; click one to open it. %1% of positions active, mean %2")
            .arg(examples.fractionActive * 100, 0, 'f', 2)
            .arg(examples.mean, 0, 'g', 3));
    const auto fill = [](ImageRow* row, const std::vector<ExampleTile>& tiles) {
        QList<QImage> images;
        QStringList captions;
        for (size_t i = 0; i < tiles.size() && int(i) < kExamplesShown; ++i) {
            images << toQImage(tiles[i].image);
            captions << exampleCaption(tiles[i]);
        }
        row->setImages(images, captions);
    };
    fill(top_, examples.top);
    fill(bottom_, examples.bottom);
    QVector<double> x, density;
    for (const DensityPoint& p : evenDensity(examples, 120)) {
        x << p.activation;
        density << p.density;
    }
    distribution_->graph(0)->setData(x, density, true);
    distribution_->rescaleAxes();
    distribution_->replot();
}

void UnitPagePanel::clearExamples(const QString& message)
{
    examples_ = {};
    scanDescription_.clear();
    examplesNote_->setText(message);
    top_->clear();
    bottom_->clear();
    distribution_->graph(0)->data()->clear();
    distribution_->replot();
}

int UnitPagePanel::exampleCount() const
{
    return top_->count() + bottom_->count();
}

void UnitPagePanel::setNeighbours(const UnitNeighbours& neighbours, const QString& image)
{
    neighbours_ = neighbours;
    neighboursImage_ = image;
    QStringList notes;
    notes << tr("Measured on %1. Inputs: gradient × activation of the layer before; outputs: "
                "activation the next layer loses when this unit is zeroed. Click one to open it.")
                 .arg(image);
    if (!neighbours.inputsProblem.empty())
        notes << tr("Inputs: %1").arg(QString::fromStdString(neighbours.inputsProblem));
    if (!neighbours.outputsProblem.empty())
        notes << tr("Outputs: %1").arg(QString::fromStdString(neighbours.outputsProblem));
    neighboursNote_->setText(notes.join(QLatin1Char('\n')));
    fillNeighbourRows();
}

void UnitPagePanel::fillNeighbourRows()
{
    const auto fill = [](ImageRow* row, const std::vector<UnitNeighbour>& units) {
        QList<QImage> images;
        QStringList captions;
        for (size_t i = 0; i < units.size(); ++i) {
            images << row->image(int(i));
            captions << neighbourCaption(units[i]);
        }
        row->setImages(images, captions);
    };
    fill(inputs_, neighbours_.inputs);
    fill(outputs_, neighbours_.outputs);
}

void UnitPagePanel::setNeighbourPicture(const QString& layer, int channel, const QImage& picture)
{
    const std::string name = layer.toStdString();
    const auto place = [&](ImageRow* row, const std::vector<UnitNeighbour>& units) {
        for (size_t i = 0; i < units.size(); ++i)
            if (units[i].layer == name && units[i].channel == channel)
                row->setImage(int(i), picture, neighbourCaption(units[i]));
    };
    place(inputs_, neighbours_.inputs);
    place(outputs_, neighbours_.outputs);
}

void UnitPagePanel::setTuning(const std::optional<UnitOrientationTuning>& tuning)
{
    tuning_ = tuning;
    QVector<double> x, y;
    if (tuning)
        for (size_t i = 0; i < tuning->degrees.size(); ++i) {
            x << tuning->degrees[i];
            y << tuning->response[i];
        }
    tuningPlot_->graph(0)->setData(x, y, true);
    tuningPlot_->xAxis->setLabel(tuning ? tr("orientation of the %1 stimulus (degrees)")
                                              .arg(QString::fromStdString(tuning->stimulus))
                                        : tr("not measured: Tuning > Find tuned units, or a "
                                             "sweep of this unit"));
    tuningPlot_->rescaleAxes();
    tuningPlot_->replot();
}

void UnitPagePanel::copyLink()
{
    if (link_.isEmpty())
        return;
    QApplication::clipboard()->setText(link_);
    setStatus(tr("Copied %1").arg(link_));
}

QString UnitPagePanel::exportName() const
{
    return QStringLiteral("unit-page-%1_%2")
        .arg(QString(layer_).replace(QLatin1Char('.'), QLatin1Char('_')))
        .arg(channel_);
}

QSize UnitPagePanel::exportSize() const
{
    // Title and link, then six sections of (title + row + gap), rows as paintExport sizes them.
    constexpr int kWidth = 1400;
    const auto row = [](int images) { return (kWidth - 32 - 8) / images - 8 + 48; };
    return QSize(kWidth, 16 + 38 + 26 + 6 * 30 + row(kRenders) + 4 * row(kExamplesShown) + 240);
}

void UnitPagePanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    painter.setPen(Qt::black);
    const int w = size.width(), margin = 16;
    int y = margin;
    QFont font = painter.font();
    QFont titleFont = font;
    titleFont.setPointSizeF(font.pointSizeF() * 1.6);
    titleFont.setBold(true);
    QFont bold = font;
    bold.setBold(true);
    painter.setFont(titleFont);
    painter.drawText(
        QRect(margin, y, w - 2 * margin, 36), Qt::AlignLeft | Qt::AlignVCenter, title_);
    y += 38;
    painter.setFont(font);
    painter.setPen(QColor(90, 90, 90));
    painter.drawText(QRect(margin, y, w - 2 * margin, 20), Qt::AlignLeft, link_);
    y += 26;
    const auto section = [&](const QString& title, int height, auto draw) {
        painter.setFont(bold);
        painter.setPen(Qt::black);
        painter.drawText(QRect(margin, y, w - 2 * margin, 20), Qt::AlignLeft, title);
        painter.setFont(font);
        y += 22;
        draw(QRect(margin, y, w - 2 * margin, height));
        y += height + 8;
    };
    // Rows as tall as their images need to fill the width: no blank band on the right.
    const auto rowHeight = [&](int images) { return (w - 2 * margin - 8) / images - 8 + 48; };
    section(tr("Feature visualization"), rowHeight(kRenders),
        [&](const QRect& r) { renders_->paintAll(painter, r); });
    section(tr("Dataset examples: strongest (activation, file) — %1").arg(scanDescription_),
        rowHeight(kExamplesShown), [&](const QRect& r) { top_->paintAll(painter, r); });
    section(tr("Dataset examples: weakest"), rowHeight(kExamplesShown),
        [&](const QRect& r) { bottom_->paintAll(painter, r); });
    section(tr("Distribution over the scan  |  Orientation tuning"), 240, [&](const QRect& r) {
        paintPlot(painter, distribution_, QRect(r.left(), r.top(), r.width() / 2 - 4, r.height()));
        paintPlot(painter, tuningPlot_,
            QRect(r.left() + r.width() / 2 + 4, r.top(), r.width() / 2 - 4, r.height()));
    });
    section(tr("Strongest inputs (gradient × activation on %1)").arg(neighboursImage_),
        rowHeight(std::max(kExamplesShown, inputs_->count())),
        [&](const QRect& r) { inputs_->paintAll(painter, r); });
    section(tr("Units it drives most (activation lost when zeroed)"),
        rowHeight(std::max(kExamplesShown, outputs_->count())),
        [&](const QRect& r) { outputs_->paintAll(painter, r); });
}

QString UnitPagePanel::exportData() const
{
    return QString::fromStdString(histogramCsv(examples_));
}

QJsonObject UnitPagePanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("layer")] = layer_;
    p[QStringLiteral("channel")] = channel_;
    p[QStringLiteral("link")] = link_;
    QJsonArray renders;
    for (int i = 0; i < renders_->count(); ++i)
        renders.append(!renders_->image(i).isNull());
    p[QStringLiteral("renders_shown")] = renders;
    if (!examples_.layer.empty()) {
        QJsonObject scan;
        scan[QStringLiteral("folder")] = QString::fromStdString(examples_.folder);
        scan[QStringLiteral("description")] = scanDescription_;
        const auto ids = [](const std::vector<ExampleTile>& tiles) {
            QJsonArray out;
            for (size_t i = 0; i < tiles.size() && int(i) < kExamplesShown; ++i) {
                QJsonObject t;
                t[QStringLiteral("image")] = QString::fromStdString(tiles[i].path);
                t[QStringLiteral("activation")] = tiles[i].value;
                out.append(t);
            }
            return out;
        };
        scan[QStringLiteral("top")] = ids(examples_.top);
        scan[QStringLiteral("bottom")] = ids(examples_.bottom);
        p[QStringLiteral("dataset_examples")] = scan;
    }
    const auto units = [](const std::vector<UnitNeighbour>& list) {
        QJsonArray out;
        for (const auto& n : list)
            out.append(QStringLiteral("%1:%2 %3")
                           .arg(QString::fromStdString(n.layer))
                           .arg(n.channel)
                           .arg(n.value, 0, 'g', 4));
        return out;
    };
    p[QStringLiteral("neighbours_measured_on")] = neighboursImage_;
    p[QStringLiteral("inputs")] = units(neighbours_.inputs);
    p[QStringLiteral("outputs")] = units(neighbours_.outputs);
    if (tuning_)
        p[QStringLiteral("tuning_stimulus")] = QString::fromStdString(tuning_->stimulus);
    return p;
}

}  // namespace loupe::widgets
