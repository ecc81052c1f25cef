#include "widgets/channel_grid.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

namespace loupe::widgets {

ChannelGrid::ChannelGrid(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

void ChannelGrid::setTiles(
    const QVector<QImage>& tiles, const QVector<bool>& flagged, const QStringList& tooltips)
{
    tiles_ = tiles;
    flagged_ = flagged;
    tooltips_ = tooltips;
    if (selected_ >= tiles_.size())
        selected_ = -1;
    updateGeometry();
    update();
}

void ChannelGrid::setPlaceholder(const QString& text)
{
    placeholder_ = text;
    update();
}

void ChannelGrid::setTileSize(int pixels)
{
    tileSize_ = qBound(16, pixels, 256);
    updateGeometry();
    update();
}

void ChannelGrid::setSelectedChannel(int channel)
{
    selected_ = channel;
    update();
}

int ChannelGrid::columnsFor(int width) const
{
    return qMax(1, (width - gap_) / (tileSize_ + gap_));
}

int ChannelGrid::columns() const
{
    return columnsFor(width());
}

QSize ChannelGrid::gridSize(int columns) const
{
    const int rows = (int(tiles_.size()) + columns - 1) / qMax(1, columns);
    return QSize(gap_ + columns * (tileSize_ + gap_), gap_ + rows * (tileSize_ + gap_));
}

int ChannelGrid::heightForWidth(int width) const
{
    return gridSize(columnsFor(width)).height();
}

QSize ChannelGrid::sizeHint() const
{
    return gridSize(8);
}

QRect ChannelGrid::tileRect(int channel) const
{
    const int c = columns();
    return QRect(gap_ + (channel % c) * (tileSize_ + gap_),
        gap_ + (channel / c) * (tileSize_ + gap_), tileSize_, tileSize_);
}

int ChannelGrid::channelAt(const QPoint& pos) const
{
    for (int i = 0; i < tiles_.size(); ++i)
        if (tileRect(i).contains(pos))
            return i;
    return -1;
}

void ChannelGrid::paintGrid(QPainter& painter, int columns) const
{
    for (int i = 0; i < tiles_.size(); ++i) {
        const QRect r(gap_ + (i % columns) * (tileSize_ + gap_),
            gap_ + (i / columns) * (tileSize_ + gap_), tileSize_, tileSize_);
        painter.drawImage(r, tiles_[i]);
        if (i < flagged_.size() && flagged_[i]) {
            painter.setPen(QPen(QColor(220, 40, 40), 1.5));
            painter.drawLine(r.topLeft(), r.bottomRight());
            painter.drawRect(r.adjusted(0, 0, -1, -1));
        }
        if (i == selected_) {
            painter.setPen(QPen(QColor(255, 150, 0), 3));
            painter.drawRect(r.adjusted(-1, -1, 0, 0));
        }
    }
}

void ChannelGrid::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    paintGrid(painter, columns());
    if (tiles_.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
            placeholder_.isEmpty() ? tr("Open an image and select a layer") : placeholder_);
    }
}

void ChannelGrid::mousePressEvent(QMouseEvent* event)
{
    const int channel = channelAt(event->position().toPoint());
    if (channel >= 0 && event->button() == Qt::LeftButton) {
        setSelectedChannel(channel);
        emit channelClicked(channel);
    }
    QWidget::mousePressEvent(event);
}

bool ChannelGrid::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int channel = channelAt(help->pos());
        if (channel >= 0 && channel < tooltips_.size())
            QToolTip::showText(help->globalPos(), tooltips_[channel], this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

}  // namespace loupe::widgets
