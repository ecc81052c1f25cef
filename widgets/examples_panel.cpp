#include "widgets/examples_panel.h"

#include "widgets/channel_grid.h"
#include "widgets/qt_image.h"

#include <QCheckBox>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QToolBar>
#include <QVBoxLayout>

namespace loupe::widgets {
namespace {
constexpr int kTile = 88;
constexpr int kBands = 4;
}  // namespace

ExamplesPanel::ExamplesPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), content_(new QWidget)
{
    whole_ = new QCheckBox(tr("Whole image"));
    whole_->setToolTip(
        tr("Show the whole image with the receptive field outlined instead of the crop"));
    toolBar()->addWidget(whole_);
    connect(whole_, &QCheckBox::toggled, this, &ExamplesPanel::wholeImagesChanged);

    sections_ = new QVBoxLayout(content_);
    top_ = addSection(tr("<b>Top</b> — images that excite the unit most"));
    bottom_ = addSection(tr("<b>Bottom</b> — most negative pre-ReLU"));
    for (int b = 0; b < kBands; ++b)
        bands_ << addSection(QString());
    for (int i = sections_->count() - 1; i >= 0; --i)
        if (auto* label = qobject_cast<QLabel*>(sections_->itemAt(i)->widget());
            label && label->text().isEmpty())
            bandTitles_.prepend(label);
    sections_->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(content_);
    setBody(scroll);
    clearExamples(tr("Dataset > Scan Folder… indexes a folder of images; then every unit shows its "
                     "examples here."));
}

ChannelGrid* ExamplesPanel::addSection(const QString& title)
{
    auto* label = new QLabel(title);
    auto* grid = new ChannelGrid;
    grid->setTileSize(kTile);
    grid->setPlaceholder(tr("—"));
    sections_->addWidget(label);
    sections_->addWidget(grid);
    connect(grid, &ChannelGrid::channelClicked, this, [this, grid](int index) {
        const std::vector<ExampleTile>* list = grid == top_ ? &examples_.top
            : grid == bottom_                               ? &examples_.bottom
                                                            : nullptr;
        for (int b = 0; b < bands_.size() && !list; ++b)
            if (grid == bands_[b] && size_t(b) < examples_.bands.size())
                list = &examples_.bands[size_t(b)];
        if (list && size_t(index) < list->size())
            emit exampleActivated(QString::fromStdString(examples_.folder),
                QString::fromStdString((*list)[size_t(index)].path));
    });
    return grid;
}

void ExamplesPanel::fill(ChannelGrid* grid, const std::vector<ExampleTile>& tiles)
{
    QVector<QImage> images;
    QStringList tips;
    for (const auto& t : tiles) {
        images << toQImage(t.image);
        tips << tr("%1\nactivation %2 at (%3, %4)")
                    .arg(QString::fromStdString(t.path))
                    .arg(double(t.value), 0, 'g', 4)
                    .arg(t.x)
                    .arg(t.y);
    }
    grid->setTiles(images, {}, tips);
}

void ExamplesPanel::setExamples(const UnitExamples& examples)
{
    examples_ = examples;
    QString status = tr("%1:%2 — receptive field %3 px; click an example to open it")
                         .arg(QString::fromStdString(examples.layer))
                         .arg(examples.channel)
                         .arg(examples.receptiveField);
    setStatus(scanDescription_.isEmpty()
            ? status
            : status + QStringLiteral("\n") + tr("From the %1").arg(scanDescription_));
    fill(top_, examples.top);
    fill(bottom_, examples.bottom);
    for (int b = 0; b < bands_.size(); ++b) {
        fill(bands_[b],
            size_t(b) < examples.bands.size() ? examples.bands[size_t(b)]
                                              : std::vector<ExampleTile>{});
        bandTitles_[b]->setText(size_t(b) < examples.bandLabels.size()
                ? tr("Samples with activation in %1")
                      .arg(QString::fromStdString(examples.bandLabels[size_t(b)]))
                : QString());
    }
}

void ExamplesPanel::setScanDescription(const QString& description)
{
    scanDescription_ = description;
}

void ExamplesPanel::clearExamples(const QString& message)
{
    examples_ = UnitExamples();
    for (ChannelGrid* g : {top_, bottom_})
        g->setTiles({}, {}, {});
    for (ChannelGrid* g : bands_)
        g->setTiles({}, {}, {});
    setStatus(message);
}

bool ExamplesPanel::wholeImages() const
{
    return whole_->isChecked();
}

int ExamplesPanel::topCount() const
{
    return top_->tileCount();
}

QString ExamplesPanel::exportName() const
{
    return QStringLiteral("examples-%1_%2")
        .arg(QString::fromStdString(examples_.layer).replace(QLatin1Char('.'), QLatin1Char('_')))
        .arg(examples_.channel);
}

QSize ExamplesPanel::exportSize() const
{
    const int columns = 8;
    const int rows = int((examples_.top.size() + columns - 1) / columns +
        (examples_.bottom.size() + columns - 1) / columns);
    return QSize(columns * (kTile + 3) + 3, rows * (kTile + 3) + 60);
}

void ExamplesPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    int y = 0;
    const auto section = [&](const QString& title, const std::vector<ExampleTile>& tiles) {
        painter.setPen(Qt::black);
        painter.drawText(QRect(3, y, size.width(), 18), Qt::AlignLeft | Qt::AlignVCenter, title);
        y += 20;
        for (size_t i = 0; i < tiles.size(); ++i) {
            painter.drawImage(
                QRect(3 + int(i % 8) * (kTile + 3), y + int(i / 8) * (kTile + 3), kTile, kTile),
                toQImage(tiles[i].image));
        }
        y += int((tiles.size() + 7) / 8) * (kTile + 3) + 8;
    };
    section(tr("%1:%2 top").arg(QString::fromStdString(examples_.layer)).arg(examples_.channel),
        examples_.top);
    section(tr("bottom (most negative pre-ReLU)"), examples_.bottom);
}

QJsonObject ExamplesPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("layer")] = QString::fromStdString(examples_.layer);
    p[QStringLiteral("channel")] = examples_.channel;
    p[QStringLiteral("folder")] = QString::fromStdString(examples_.folder);
    p[QStringLiteral("receptive_field")] = examples_.receptiveField;
    p[QStringLiteral("whole_images")] = wholeImages();
    p[QStringLiteral("k")] = int(examples_.top.size());
    return p;
}

}  // namespace loupe::widgets
