#include "widgets/image_panel.h"

#include <QJsonArray>
#include <QPainter>

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
