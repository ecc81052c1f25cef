#include "widgets/image_row.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace loupe::widgets {
namespace {

constexpr int kCaptionHeight = 42;
constexpr int kScaleHeight = 44;  // the bar and two short lines under it

}  // namespace

ImageRow::ImageRow(const QString& hint, QWidget* parent) : QWidget(parent), hint_(hint)
{
    setMinimumHeight(160);
}

void ImageRow::clear()
{
    images_.clear();
    captions_.clear();
    scales_.clear();
    update();
}

void ImageRow::setImages(const QList<QImage>& images, const QStringList& captions)
{
    images_ = images;
    captions_ = captions;
    scales_.clear();
    update();
}

void ImageRow::setImage(int index, const QImage& image, const QString& caption)
{
    while (images_.size() <= index)
        images_ << QImage();
    while (captions_.size() <= index)
        captions_ << QString();
    images_[index] = image;
    captions_[index] = caption;
    update();
}

void ImageRow::setScale(int index, const ColourScale& scale)
{
    while (scales_.size() <= index)
        scales_ << ColourScale();
    scales_[index] = scale;
    update();
}

void ImageRow::paintAll(QPainter& painter, const QRect& area) const
{
    if (std::all_of(images_.begin(), images_.end(), [](const QImage& i) { return i.isNull(); }) &&
        captions_.isEmpty()) {
        painter.setPen(QColor(130, 130, 130));
        painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, hint_);
        return;
    }
    for (int i = 0; i < images_.size(); ++i) {
        const QRect r = imageRect(i, area);
        const int cell = r.width();
        if (images_[i].isNull())
            painter.fillRect(r, QColor(235, 235, 235));
        else
            painter.drawImage(r, images_[i]);
        painter.setPen(palette().color(QPalette::Text));
        // Word wrap cannot break a file name: elide such a line at its start instead of
        // clipping both its ends (the end of a name, "…_bobsled.JPEG", says the most).
        QStringList lines = captions_.value(i).split(QLatin1Char('\n'));
        for (auto& line : lines)
            if (!line.contains(QLatin1Char(' ')))
                line = painter.fontMetrics().elidedText(line, Qt::ElideLeft, cell + 8);
        painter.drawText(QRect(r.left() - 4, r.bottom() + 4, cell + 8, kCaptionHeight),
            Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, lines.join(QLatin1Char('\n')));
        paintColourScale(painter,
            QRect(r.left(), r.bottom() + 6 + kCaptionHeight, cell, kScaleHeight - 2),
            scales_.value(i));
    }
}

QRect ImageRow::imageRect(int index, const QRect& area) const
{
    const int n = std::max(1, int(images_.size()));
    const bool anyScale = std::any_of(
        scales_.begin(), scales_.end(), [](const ColourScale& s) { return !s.isEmpty(); });
    const int below = kCaptionHeight + 6 + (anyScale ? kScaleHeight : 0);
    const int cell = std::max(32, std::min((area.width() - 8) / n - 8, area.height() - below));
    return QRect(area.left() + 4 + index * (cell + 8), area.top() + 2, cell, cell);
}

void ImageRow::setClickHandler(std::function<void(int index)> clicked)
{
    clicked_ = std::move(clicked);
    setCursor(clicked_ ? Qt::PointingHandCursor : Qt::ArrowCursor);
}

void ImageRow::mousePressEvent(QMouseEvent* event)
{
    if (clicked_)
        for (int i = 0; i < images_.size(); ++i)
            if (imageRect(i, rect()).contains(event->position().toPoint())) {
                clicked_(i);
                return;
            }
    QWidget::mousePressEvent(event);
}

void ImageRow::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    paintAll(painter, rect());
}

}  // namespace loupe::widgets
