#include "widgets/dictionary_panel.h"

#include "core/colormap.h"
#include "core/error.h"
#include "widgets/colour_bar.h"
#include "widgets/qt_image.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <QListWidget>
#include <QSpinBox>
#include <QToolBar>
#include <QJsonArray>
#include <QMouseEvent>
#include <QPainter>
#include <QSplitter>

namespace loupe::widgets {

constexpr int kKeyRoom = 36;

// The image, fitted; a click picks a point, a drag a box; an optional heat overlay.
class RegionPicker : public QWidget {
public:
    explicit RegionPicker(QWidget* parent = nullptr) : QWidget(parent)
    {
        setMinimumSize(200, 200);
        setMouseTracking(true);
        setCursor(Qt::CrossCursor);
    }

    QImage image;
    QImage overlay;  // layer-grid sized heat map, drawn over the model's field of view
    ColourScale overlayScale;  // its key, drawn under the image while it shows
    QRectF region;  // picked, in image pixels
    bool hasRegion = false;
    QRectF viewRect;  // image pixels covered by the model's input (centre crop)
    std::function<void(const QRectF&)> onPick;
    std::function<void(QPointF)> onHover;  // in fractions of the shown image

    QRectF target() const
    {
        if (image.isNull())
            return {};
        // Room under the image for the overlay's colour key, kept whether it shows or not,
        // so that the image does not move when a channel is hovered.
        const QSizeF s = QSizeF(image.size())
                             .scaled(QSizeF(size()) - QSizeF(8, 8 + kKeyRoom), Qt::KeepAspectRatio);
        return QRectF(QPointF((width() - s.width()) / 2, 4), s);
    }
    QPointF toImage(const QPointF& p) const
    {
        const QRectF t = target();
        return QPointF((p.x() - t.left()) / t.width() * image.width(),
            (p.y() - t.top()) / t.height() * image.height());
    }
    QRectF toWidget(const QRectF& r) const
    {
        const QRectF t = target();
        const double sx = t.width() / image.width(), sy = t.height() / image.height();
        return QRectF(t.left() + r.x() * sx, t.top() + r.y() * sy, r.width() * sx, r.height() * sy);
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter painter(this);
        if (image.isNull()) {
            painter.setPen(QColor(130, 130, 130));
            painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                tr("Open an image and select a layer, then click the image"));
            return;
        }
        painter.drawImage(target(), image);
        if (!overlay.isNull()) {
            painter.setOpacity(0.6);
            painter.drawImage(toWidget(viewRect), overlay);
            painter.setOpacity(1);
            const QRectF t = target();
            paintColourScale(painter,
                QRect(int(t.left()), int(t.bottom()) + 4, std::max(200, int(t.width())), kKeyRoom),
                overlayScale);
        }
        if (hasRegion) {
            painter.setPen(QPen(QColor(255, 150, 0), 2));
            painter.drawRect(toWidget(region).adjusted(-2, -2, 2, 2));
        }
    }
    void mousePressEvent(QMouseEvent* e) override { pressed_ = e->position(); }
    void mouseMoveEvent(QMouseEvent* e) override
    {
        const QRectF t = target();
        if (onHover && !image.isNull() && t.contains(e->position()))
            onHover(QPointF((e->position().x() - t.left()) / t.width(),
                (e->position().y() - t.top()) / t.height()));
    }
    void mouseReleaseEvent(QMouseEvent* e) override
    {
        if (image.isNull() || !onPick)
            return;
        const QPointF a = toImage(pressed_), b = toImage(e->position());
        const QRectF r =
            (b - a).manhattanLength() < 3 ? QRectF(a, QSizeF(0, 0)) : QRectF(a, b).normalized();
        onPick(r);
    }

private:
    QPointF pressed_;
};

DictionaryPanel::DictionaryPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), picker_(new RegionPicker), list_(new QListWidget),
      concepts_(new QListWidget)
{
    list_->setIconSize(QSize(72, 72));
    list_->setMouseTracking(true);
    list_->setSpacing(2);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(picker_);
    splitter->addWidget(list_);
    splitter->addWidget(concepts_);
    splitter->setSizes({300, 400, 120});
    concepts_->hide();  // until the layer has a concept dictionary
    concepts_->setToolTip(tr("Learned concepts active in the region (the layer's concept "
                             "dictionary). Click: show the concept in the Concepts dock."));
    setBody(splitter);
    picker_->onPick = [this](const QRectF& r) {
        if (picker_->image != image_) {  // a figure is shown: a click goes back to the image
            picker_->image = image_;
            picker_->update();
            return;
        }
        pick(r.x(), r.y(), r.width(), r.height());
    };
    picker_->onHover = [this](QPointF f) {
        if (picker_->image != image_ && gridColumns_ > 0 && gridRows_ > 0)
            showGridCell(std::min(gridColumns_ - 1, int(f.x() * gridColumns_)),
                std::min(gridRows_ - 1, int(f.y() * gridRows_)));
    };
    toolBar()
        ->addAction(tr("Activation Grid"), this,
            [this] {
                if (!activations_.layer.empty())
                    emit activationGridRequested(QString::fromStdString(activations_.layer), 8);
            })
        ->setToolTip(tr("Each cell of the layer's grid drawn as the feature visualization of its "
                        "activation vector"));
    toolBar()
        ->addAction(tr("NMF"), this,
            [this] {
                if (!activations_.layer.empty())
                    emit nmfRequested(
                        QString::fromStdString(activations_.layer), factors_->value());
            })
        ->setToolTip(
            tr("Factorise the layer's activations on this image into k groups of channels"));
    factors_ = spinBox(1, 16, 6, tr("k = "));
    toolBar()->addWidget(factors_);
    connect(list_, &QListWidget::itemEntered, this,
        [this](QListWidgetItem* item) { highlight(item->data(Qt::UserRole).toInt()); });
    connect(list_, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        selection()->selectUnit(
            QString::fromStdString(activations_.layer), item->data(Qt::UserRole).toInt());
    });
    connect(concepts_, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        selection()->selectConcept(
            item->data(Qt::UserRole + 1).toString(), item->data(Qt::UserRole).toInt());
    });
    setStatus(tr(
        "Click the image (or drag a box) to see which channels of the selected layer fire there."));
}

void DictionaryPanel::setConcepts(
    const QString& layer, const std::vector<DictionaryEntry>& concepts, const QStringList& labels)
{
    concepts_->clear();
    if (layer != QString::fromStdString(activations_.layer))
        return;
    for (size_t i = 0; i < concepts.size(); ++i) {
        const auto& e = concepts[i];
        auto* item = new QListWidgetItem(tr("%1   %2   %3%")
                                             .arg(labels.value(int(i)))
                                             .arg(double(e.value), 0, 'g', 4)
                                             .arg(double(e.share) * 100, 0, 'f', 1));
        item->setData(Qt::UserRole, e.channel);
        item->setData(Qt::UserRole + 1, layer);
        concepts_->addItem(item);
    }
    concepts_->setVisible(!concepts.empty());
}

int DictionaryPanel::conceptCount() const
{
    return concepts_->count();
}

void DictionaryPanel::setImage(const QImage& image)
{
    picker_->image = image;
    image_ = image;
    entries_.clear();
    picker_->region = QRectF();
    picker_->hasRegion = false;
    picker_->overlay = QImage();
    refreshList();
    picker_->update();
}

void DictionaryPanel::setActivations(const LayerActivations& activations, int inputSize)
{
    const bool newLayer = activations.layer != activations_.layer;
    activations_ = activations;
    inputSize_ = inputSize;
    if (newLayer) {
        thumbnails_.clear();
        examples_.clear();
        concepts_->clear();
        concepts_->hide();
    }
    if (!image_.isNull() && activations.width > 1) {
        const ImageRect first = imageRectOfCell(image_.width(), image_.height(), inputSize,
            activations.width, activations.height, 0, 0);
        picker_->viewRect = QRectF(
            first.x, first.y, first.width * activations.width, first.height * activations.height);
    }
    picker_->overlay = QImage();
    if (picker_->hasRegion)
        pick(picker_->region.x(), picker_->region.y(), picker_->region.width(),
            picker_->region.height());
    else
        refreshList();
}

void DictionaryPanel::pick(double x, double y, double w, double h)
{
    picker_->region = QRectF(x, y, w, h);
    picker_->hasRegion = true;
    picker_->update();
    computeEntries(x, y, w, h);
}

void DictionaryPanel::computeEntries(double x, double y, double w, double h)
{
    entries_.clear();
    try {
        if (activations_.layer.empty())
            throw Error("select a layer first");
        const CellRange cells = cellsForBox(image_.width(), image_.height(), inputSize_,
            activations_.width, activations_.height, x, y, w, h);
        entries_ = semanticDictionary(activations_, cells, 12);
        emit conceptsWanted(QString::fromStdString(activations_.layer), cells);
        setStatus(tr("%1 at cells (%2,%3)–(%4,%5): %6 channels active")
                      .arg(QString::fromStdString(activations_.layer))
                      .arg(cells.x0)
                      .arg(cells.y0)
                      .arg(cells.x1)
                      .arg(cells.y1)
                      .arg(entries_.size()));
    } catch (const Error& e) {
        setStatus(QString::fromStdString(e.what()));
    }
    refreshList();
}

void DictionaryPanel::showGridCell(int column, int row)
{
    if (gridColumns_ <= 0 || gridRows_ <= 0 || picker_->viewRect.isEmpty())
        return;
    // The grid covers the model's view of the image; the cell's box in image pixels.
    const QRectF& v = picker_->viewRect;
    const double w = v.width() / gridColumns_, h = v.height() / gridRows_;
    computeEntries(v.left() + column * w, v.top() + row * h, w * 0.999, h * 0.999);
}

void DictionaryPanel::refreshList()
{
    list_->clear();
    QList<int> missing, noExample;
    for (const auto& e : entries_) {
        if (!examples_.contains(e.channel))
            noExample << e.channel;
        auto* item = new QListWidgetItem(tr("channel %1   %2   %3%")
                                             .arg(e.channel)
                                             .arg(double(e.value), 0, 'g', 4)
                                             .arg(double(e.share) * 100, 0, 'f', 1));
        item->setData(Qt::UserRole, e.channel);
        item->setIcon(entryIcon(e.channel));
        if (thumbnails_.value(e.channel).isNull())
            missing << e.channel;
        item->setToolTip(tr("Hover: where %1:%2 fires in the image. Click: select the unit.")
                             .arg(QString::fromStdString(activations_.layer))
                             .arg(e.channel));
        list_->addItem(item);
    }
    if (!missing.isEmpty())
        emit thumbnailsWanted(QString::fromStdString(activations_.layer), missing);
    if (!noExample.isEmpty())
        emit topExamplesWanted(QString::fromStdString(activations_.layer), noExample);
}

// Feature visualization, then (after a scan) the top dataset example beside it.
QIcon DictionaryPanel::entryIcon(int channel) const
{
    const QImage thumb = thumbnails_.value(channel), example = examples_.value(channel);
    QPixmap icon(example.isNull() ? 72 : 148, 72);
    icon.fill(QColor(200, 200, 200));
    QPainter p(&icon);
    if (!thumb.isNull())
        p.drawImage(QRect(0, 0, 72, 72), thumb);
    if (!example.isNull())
        p.drawImage(QRect(76, 0, 72, 72), example);
    return QIcon(icon);
}

void DictionaryPanel::setTopExample(const QString& layer, int channel, const QImage& image)
{
    if (layer != QString::fromStdString(activations_.layer))
        return;
    examples_.insert(channel, image);
    list_->setIconSize(QSize(148, 72));
    for (int i = 0; i < list_->count(); ++i)
        if (list_->item(i)->data(Qt::UserRole).toInt() == channel)
            list_->item(i)->setIcon(entryIcon(channel));
}

void DictionaryPanel::setThumbnail(const QString& layer, int channel, const QImage& image)
{
    if (layer != QString::fromStdString(activations_.layer))
        return;
    thumbnails_.insert(channel, image);
    for (int i = 0; i < list_->count(); ++i)
        if (list_->item(i)->data(Qt::UserRole).toInt() == channel)
            list_->item(i)->setIcon(entryIcon(channel));
}

void DictionaryPanel::showFigure(const QString& title, const QImage& figure, int columns, int rows)
{
    gridColumns_ = columns;
    gridRows_ = rows;
    picker_->image = figure;
    picker_->overlay = QImage();
    picker_->hasRegion = false;
    picker_->update();
    setStatus(title +
        (columns > 0 ? tr(" — hover a cell for its dictionary, click to return to the image")
                     : tr(" — click it to return to the image")));
}

void DictionaryPanel::highlight(int channel)
{
    if (channel < 0 || channel >= activations_.channels)
        return;
    const FloatMap map = activations_.channelMap(channel);
    const float peak = std::max(1e-6f, activations_.channelMax[size_t(channel)]);
    picker_->overlay = toQImage(colorize(map, 0, peak, Colormap::Magma));
    picker_->overlayScale = colourScale(0, peak, Colormap::Magma,
        tr("activation of channel %1 at each position (0 to its peak on this image)").arg(channel));
    picker_->update();
}

QString DictionaryPanel::exportName() const
{
    return QStringLiteral("dictionary-") +
        QString::fromStdString(activations_.layer).replace(QLatin1Char('.'), QLatin1Char('_'));
}

QSize DictionaryPanel::exportSize() const
{
    return QSize(300 + 12 * 0, 300 + 90 * int((entries_.size() + 3) / 4) + 10);
}

void DictionaryPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    if (!image_.isNull()) {
        const QSize s = image_.size().scaled(300, 300, Qt::KeepAspectRatio);
        painter.drawImage(QRect(QPoint(0, 0), s), image_);
        const double k = double(s.width()) / image_.width();
        painter.setPen(QPen(QColor(255, 150, 0), 2));
        painter.drawRect(QRectF(picker_->region.x() * k - 2, picker_->region.y() * k - 2,
            picker_->region.width() * k + 4, picker_->region.height() * k + 4));
    }
    QFont font = painter.font();
    font.setPointSize(7);
    painter.setFont(font);
    for (size_t i = 0; i < entries_.size(); ++i) {
        const QRect cell(int(i % 4) * 75, 305 + int(i / 4) * 90, 72, 72);
        const QImage thumb = thumbnails_.value(entries_[i].channel);
        if (!thumb.isNull())
            painter.drawImage(cell, thumb);
        else
            painter.fillRect(cell, QColor(210, 210, 210));
        painter.setPen(Qt::black);
        painter.drawText(QRect(cell.left(), cell.bottom() + 1, 75, 14), Qt::AlignLeft,
            QStringLiteral("%1  %2%")
                .arg(entries_[i].channel)
                .arg(double(entries_[i].share) * 100, 0, 'f', 1));
    }
}

QJsonObject DictionaryPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("layer")] = QString::fromStdString(activations_.layer);
    p[QStringLiteral("region")] = QStringLiteral("%1,%2 %3x%4")
                                      .arg(picker_->region.x())
                                      .arg(picker_->region.y())
                                      .arg(picker_->region.width())
                                      .arg(picker_->region.height());
    QJsonArray channels;
    for (const auto& e : entries_)
        channels.append(QJsonObject{{QStringLiteral("channel"), e.channel},
            {QStringLiteral("value"), double(e.value)},
            {QStringLiteral("share"), double(e.share)}});
    p[QStringLiteral("channels")] = channels;
    p[QStringLiteral("thumbnails")] =
        QStringLiteral("feature visualizations, Fourier, 96 px, 128 steps");
    return p;
}

}  // namespace loupe::widgets
