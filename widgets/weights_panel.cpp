#include "widgets/weights_panel.h"

#include "core/colormap.h"
#include "widgets/colour_bar.h"
#include "widgets/qt_image.h"
#include "widgets/unit_selection.h"

#include <QMouseEvent>
#include <QPainter>
#include <QScrollArea>

namespace loupe::widgets {
namespace {

constexpr int kKeyHeight = 44;

}  // namespace

// Paints filters; layout shared by the screen and export.
class FilterView : public QWidget {
public:
    explicit FilterView(QWidget* parent = nullptr) : QWidget(parent) {}

    void setWeights(const LayerWeights* weights)
    {
        weights_ = weights;
        images_.clear();
        if (weights_ && weights_->seesInput) {
            for (const auto& f : weights_->colourFilters)
                images_ << toQImage(f);
        } else if (weights_) {
            // Each filter's strip shares one symmetric scale, so a row reads as "which inputs
            // matter and with which sign" without one outlier filter washing out the rest.
            for (const auto& filter : weights_->kernels) {
                float extent = 1e-12f;
                for (const auto& k : filter)
                    for (float v : k.weights.values)
                        extent = std::max(extent, std::abs(v));
                for (const auto& k : filter)
                    images_ << toQImage(colorize(k.weights, -extent, extent, Colormap::Diverging));
            }
        }
        setMinimumSize(contentSize(width()));
        update();
    }
    void setSelectedFilter(int filter)
    {
        selected_ = filter;
        update();
    }
    QSize contentSize(int width) const
    {
        if (!weights_)
            return QSize(0, 0);
        if (weights_->seesInput) {
            const int cols = qMax(1, (width - gap) / (colourTile + gap));
            const int rows = (int(images_.size()) + cols - 1) / cols;
            return QSize(cols * (colourTile + gap) + gap, rows * (colourTile + gap) + gap);
        }
        const int perRow = weights_->kernels.empty() ? 0 : int(weights_->kernels[0].size());
        return QSize(labelWidth + perRow * (kernelTile + gap) + gap,
            int(weights_->kernels.size()) * (kernelTile + gap) + gap);
    }
    void paintContent(QPainter& painter, int width) const
    {
        if (!weights_)
            return;
        painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
        if (weights_->seesInput) {
            const int cols = qMax(1, (width - gap) / (colourTile + gap));
            for (int i = 0; i < images_.size(); ++i) {
                const QRect r(gap + (i % cols) * (colourTile + gap),
                    gap + (i / cols) * (colourTile + gap), colourTile, colourTile);
                painter.drawImage(r, images_[i]);
                if (i == selected_) {
                    painter.setPen(QPen(QColor(255, 150, 0), 3));
                    painter.drawRect(r.adjusted(-1, -1, 0, 0));
                }
            }
            return;
        }
        int index = 0;
        QFont small = painter.font();
        small.setPointSize(7);
        painter.setFont(small);
        for (int f = 0; f < int(weights_->kernels.size()); ++f) {
            const int y = gap + f * (kernelTile + gap);
            painter.setPen(f == selected_ ? QColor(255, 120, 0) : QColor(90, 90, 90));
            painter.drawText(QRect(0, y, labelWidth - 4, kernelTile),
                Qt::AlignRight | Qt::AlignVCenter, QString::number(f));
            for (int k = 0; k < int(weights_->kernels[size_t(f)].size()); ++k) {
                const QRect r(labelWidth + k * (kernelTile + gap), y, kernelTile, kernelTile);
                painter.drawImage(r, images_[index++]);
            }
        }
    }
    int filterAt(const QPoint& pos) const
    {
        if (!weights_)
            return -1;
        if (weights_->seesInput) {
            const int cols = qMax(1, (width() - gap) / (colourTile + gap));
            const int i = (pos.y() / (colourTile + gap)) * cols + pos.x() / (colourTile + gap);
            return i < images_.size() ? i : -1;
        }
        const int f = pos.y() / (kernelTile + gap);
        return f < int(weights_->kernels.size()) ? f : -1;
    }

    static constexpr int colourTile = 44;
    static constexpr int kernelTile = 26;
    static constexpr int labelWidth = 34;
    static constexpr int gap = 3;
    std::function<void(int)> onClick;

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter painter(this);
        paintContent(painter, width());
    }
    void resizeEvent(QResizeEvent*) override { setMinimumHeight(contentSize(width()).height()); }
    void mousePressEvent(QMouseEvent* event) override
    {
        const int f = filterAt(event->position().toPoint());
        if (f >= 0 && onClick)
            onClick(f);
    }

private:
    const LayerWeights* weights_ = nullptr;
    QVector<QImage> images_;
    int selected_ = -1;
};

WeightsPanel::WeightsPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), view_(new FilterView)
{
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(view_);
    setBody(scroll);
    view_->onClick = [this](int filter) {
        if (!weights_.layer.empty())
            selection()->selectUnit(QString::fromStdString(weights_.layer), filter);
    };
    connect(
        selection(), &UnitSelection::unitChanged, this, [this](const QString& layer, int channel) {
            view_->setSelectedFilter(
                layer == QString::fromStdString(weights_.layer) ? channel : -1);
        });
}

void WeightsPanel::setWeights(const LayerWeights& weights)
{
    if (!weights.unavailable.empty()) {
        clearWeights(QString::fromStdString(weights.unavailable));
        return;
    }
    weights_ = weights;
    view_->setWeights(&weights_);
    view_->setSelectedFilter(selection()->layer() == QString::fromStdString(weights_.layer)
            ? selection()->channel()
            : -1);
    setStatus(tr("%1: %2 filters of %3×%4×%5%6")
                  .arg(QString::fromStdString(weights.weightPath))
                  .arg(weights.outChannels)
                  .arg(weights.inChannels)
                  .arg(weights.kernelHeight)
                  .arg(weights.kernelWidth)
                  .arg(weights.seesInput
                          ? tr(" (RGB)")
                          : tr("; each row: strongest input kernels first, red +, blue −, on "
                               "the row's own symmetric scale")));
}

void WeightsPanel::clearWeights(const QString& message)
{
    weights_ = LayerWeights();
    view_->setWeights(nullptr);
    setStatus(message);
}

QString WeightsPanel::exportName() const
{
    return QStringLiteral("weights-") +
        QString::fromStdString(weights_.layer).replace(QLatin1Char('.'), QLatin1Char('_'));
}

QSize WeightsPanel::exportSize() const
{
    // Kernels of a hidden layer are a heat map: their colour key goes under them.
    const int key = weights_.seesInput ? 0 : kKeyHeight;
    return (view_->contentSize(weights_.seesInput
                    ? 16 * (FilterView::colourTile + FilterView::gap) + FilterView::gap
                    : 800) +
        QSize(0, key))
        .expandedTo(QSize(64, 64));
}

void WeightsPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    view_->paintContent(painter, size.width());
    if (weights_.kernels.empty() || weights_.seesInput)
        return;
    const QRect key(
        8, size.height() - kKeyHeight + 4, std::min(420, size.width() - 16), kKeyHeight - 8);
    ColourScale scale = colourScale(-1, 1, Colormap::Diverging,
        tr("weight ÷ the largest |weight| of its row (each filter's row on its own scale)"));
    scale.low = QStringLiteral("−max");
    scale.high = QStringLiteral("+max");
    paintColourScale(painter, key, scale);
}

QJsonObject WeightsPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("layer")] = QString::fromStdString(weights_.layer);
    p[QStringLiteral("weight")] = QString::fromStdString(weights_.weightPath);
    p[QStringLiteral("filters")] = weights_.outChannels;
    p[QStringLiteral("inputs_per_filter_shown")] =
        weights_.kernels.empty() ? weights_.inChannels : int(weights_.kernels[0].size());
    p[QStringLiteral("scaling")] = weights_.seesInput
        ? QStringLiteral("per filter, symmetric around grey")
        : QStringLiteral("per filter, symmetric diverging (red +, blue -)");
    return p;
}

}  // namespace loupe::widgets
