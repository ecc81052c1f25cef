#include "widgets/image_panel.h"

#include <QJsonArray>
#include <QPainter>
#include <QRegion>

#include <algorithm>

namespace loupe::widgets {

// Draws the image fitted to the widget with the prediction bars underneath.
class ImageCanvas : public QWidget {
public:
    explicit ImageCanvas(QWidget* parent = nullptr) : QWidget(parent) { setMinimumSize(160, 160); }

    QImage image;
    std::vector<Prediction> predictions;

    void paintAll(QPainter& painter, const QRect& area) const
    {
        const int barsHeight = predictions.empty() ? 0 : int(predictions.size()) * 18 + 8;
        const QRect imageArea = area.adjusted(4, 4, -4, -4 - barsHeight);
        int imageBottom = imageArea.top();
        if (image.isNull()) {
            painter.setPen(QColor(130, 130, 130));
            painter.drawText(imageArea, Qt::AlignCenter | Qt::TextWordWrap,
                QObject::tr("File > Open Image… or drop an image here"));
        } else {
            QSize s = image.size().scaled(imageArea.size(), Qt::KeepAspectRatio);
            const QRect target(
                imageArea.center().x() - s.width() / 2, imageArea.top(), s.width(), s.height());
            painter.setRenderHint(QPainter::SmoothPixmapTransform);
            painter.drawImage(target, image);
            paintModelCrop(painter, target);
            imageBottom = target.bottom();
        }
        // Predictions sit right under the picture they describe.
        int y = imageBottom + 8;
        for (const auto& p : predictions) {
            const int full = area.width() - 8;
            painter.fillRect(
                QRect(area.left() + 4, y, int(full * p.probability), 15), QColor(60, 110, 190, 90));
            painter.setPen(palette().color(QPalette::Text));
            painter.drawText(QRect(area.left() + 8, y, full - 8, 15),
                Qt::AlignVCenter | Qt::AlignLeft,
                QStringLiteral("%1%  %2")
                    .arg(p.probability * 100, 5, 'f', 1)
                    .arg(QString::fromStdString(p.label)));
            y += 18;
        }
    }

    // The model sees the centre square of the picture (shorter side resized, centre crop:
    // core/input_geometry.h). Outside it is dimmed and outlined, so a click or a region there
    // is explained before the model ignores it.
    void paintModelCrop(QPainter& painter, const QRect& target) const
    {
        if (image.width() == image.height())
            return;
        const double scale = double(target.width()) / image.width();
        const int side = int(std::min(image.width(), image.height()) * scale);
        const QRect crop(
            target.center().x() - side / 2, target.center().y() - side / 2, side, side);
        const QRegion outside = QRegion(target).subtracted(QRegion(crop));
        painter.save();
        painter.setClipRegion(outside);
        painter.fillRect(target, QColor(255, 255, 255, 150));
        painter.setClipping(false);
        painter.setPen(QPen(QColor(40, 40, 40), 1, Qt::DashLine));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(crop.adjusted(0, 0, -1, -1));
        painter.setPen(QColor(60, 60, 60));
        const QRect label = image.width() > image.height()
            ? QRect(target.left() + 2, target.top() + 2, crop.left() - target.left() - 4, 40)
            : QRect(target.left() + 2, target.top() + 2, target.width() - 4, 14);
        QFont small = painter.font();
        small.setPointSizeF(small.pointSizeF() * 0.8);
        painter.setFont(small);
        painter.drawText(label, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
            QObject::tr("outside the model's view (centre crop)"));
        painter.restore();
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter painter(this);
        paintAll(painter, rect());
    }
};

ImagePanel::ImagePanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), canvas_(new ImageCanvas)
{
    setBody(canvas_);
}

void ImagePanel::setImage(const QImage& image, const QString& name)
{
    canvas_->image = image;
    name_ = name;
    predictions_.clear();
    canvas_->predictions.clear();
    setStatus(image.isNull()
            ? QString()
            : QStringLiteral("%1 — %2×%3").arg(name).arg(image.width()).arg(image.height()));
    canvas_->update();
}

void ImagePanel::setPredictions(const std::vector<Prediction>& predictions)
{
    predictions_ = predictions;
    canvas_->predictions = predictions;
    canvas_->update();
}

QImage ImagePanel::image() const
{
    return canvas_->image;
}

QStringList ImagePanel::predictionLines() const
{
    QStringList lines;
    for (const auto& p : predictions_)
        lines << QStringLiteral("%1 %2")
                     .arg(QString::fromStdString(p.label))
                     .arg(p.probability, 0, 'f', 3);
    return lines;
}

QString ImagePanel::exportName() const
{
    return QStringLiteral("image");
}

QSize ImagePanel::exportSize() const
{
    const QSize s = canvas_->image.isNull()
        ? QSize(300, 300)
        : canvas_->image.size().scaled(400, 400, Qt::KeepAspectRatio);
    return s + QSize(8, 8 + (predictions_.empty() ? 0 : int(predictions_.size()) * 18 + 8));
}

void ImagePanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    canvas_->paintAll(painter, QRect(QPoint(0, 0), size));
}

QJsonObject ImagePanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("image")] = name_;
    QJsonArray preds;
    for (const auto& pr : predictions_)
        preds.append(QJsonObject{{QStringLiteral("index"), pr.index},
            {QStringLiteral("label"), QString::fromStdString(pr.label)},
            {QStringLiteral("probability"), double(pr.probability)}});
    p[QStringLiteral("predictions")] = preds;
    return p;
}

}  // namespace loupe::widgets
