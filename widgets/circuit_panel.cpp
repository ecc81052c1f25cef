#include "widgets/circuit_panel.h"

#include "core/colormap.h"
#include "widgets/qt_image.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QContextMenuEvent>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <functional>

namespace loupe::widgets {
namespace {

constexpr int kRow = 76;  // one contribution per row: text, bar, map, kernel
constexpr int kMap = 64;
constexpr int kHeader = 44;

// Symmetric diverging colours around zero, crisp cells.
QImage divergingImage(const FloatMap& map, float extent, int side)
{
    const RgbImage colours = colorize(map, -extent, extent, Colormap::Diverging);
    return toQImage(upscaleNearest(colours, std::max(1, side / std::max(1, map.width)) * map.width,
        std::max(1, side / std::max(1, map.height)) * map.height));
}

float extentOf(const FloatMap& map)
{
    float e = 1e-6f;
    for (float v : map.values)
        e = std::max(e, std::abs(v));
    return e;
}

}  // namespace

class CircuitView : public QWidget {
public:
    CircuitResult circuit;
    bool hasCircuit = false;
    QHash<int, QImage> thumbnails;  // input channel -> its feature visualization
    std::function<void(int)> channelClicked;
    std::function<void(int)> cutClicked;  // row's input channel

    QSize sizeHint() const override
    {
        return QSize(520, kHeader + kRow * int(circuit.contributions.size()) + 8);
    }

    // The row under a point, or -1.
    int rowAt(const QPoint& point) const
    {
        const int row = (point.y() - kHeader) / kRow;
        return point.y() >= kHeader && row < int(circuit.contributions.size()) ? row : -1;
    }

    void paintAll(QPainter& painter, const QRect& area) const
    {
        painter.fillRect(area, palette().color(QPalette::Base));
        if (!hasCircuit) {
            painter.setPen(QColor(130, 130, 130));
            painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap,
                QObject::tr("Select a unit of a convolution, open an image, then Compute"));
            return;
        }
        const auto& c = circuit;
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(area.left() + 6, area.top() + 2, area.width() - 12, 20),
            Qt::AlignLeft | Qt::AlignVCenter,
            c.exact ? QObject::tr(
                          "%1:%2 at (%3, %4): pre-activation %5 = bias %6 + Σ activation × weight")
                          .arg(QString::fromStdString(c.layer))
                          .arg(c.channel)
                          .arg(c.x)
                          .arg(c.y)
                          .arg(double(c.preActivation), 0, 'g', 5)
                          .arg(double(c.bias), 0, 'g', 4)
                    : QObject::tr(
                          "%1:%2 at (%3, %4) = %5; Σ gradient × activation from %6 = %7 (estimate)")
                          .arg(QString::fromStdString(c.layer))
                          .arg(c.channel)
                          .arg(c.x)
                          .arg(c.y)
                          .arg(double(c.check), 0, 'g', 5)
                          .arg(QString::fromStdString(c.inputLayer))
                          .arg(double(c.preActivation), 0, 'g', 5));
        painter.setPen(QColor(110, 110, 110));
        painter.drawText(QRect(area.left() + 6, area.top() + 22, area.width() - 12, 18),
            Qt::AlignLeft | Qt::AlignVCenter,
            c.inputLayer.empty()
                ? QObject::tr(
                      "input channel · contribution · over all positions · kernel (red +, blue −)")
                : QObject::tr("%1 channel (click: select it) · contribution · over all positions · "
                              "kernel (red +, blue −)")
                      .arg(QString::fromStdString(c.inputLayer)));
        float largest = 1e-6f;
        for (const auto& term : c.contributions)
            largest = std::max(largest, std::abs(term.contribution));
        // With a known input layer each row starts with what its channel responds to.
        const int thumb = c.inputLayer.empty() ? 0 : kMap + 6;
        const int barWidth = std::max(60, area.width() - 2 * kMap - 150 - thumb);
        for (size_t i = 0; i < c.contributions.size(); ++i) {
            const auto& term = c.contributions[i];
            const int top = area.top() + kHeader + int(i) * kRow;
            painter.setPen(palette().color(QPalette::Text));
            painter.drawText(QRect(area.left() + 6, top, 60, kMap),
                Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("#%1").arg(term.inputChannel));
            if (thumb) {
                const QRect place(area.left() + 56, top, kMap, kMap);
                const QImage image = thumbnails.value(term.inputChannel);
                if (image.isNull())
                    painter.fillRect(place, QColor(225, 225, 225));
                else
                    painter.drawImage(place, image);
            }
            const int barLeft = area.left() + 66 + thumb;
            const int length = int(barWidth * std::abs(term.contribution) / largest);
            painter.fillRect(QRect(barLeft, top + kMap / 2 - 8, length, 16),
                term.contribution >= 0 ? QColor(200, 60, 50) : QColor(50, 90, 200));
            painter.drawText(QRect(barLeft + 4, top + kMap / 2 + 8, barWidth, 16),
                Qt::AlignLeft | Qt::AlignVCenter,
                QString::number(double(term.contribution), 'g', 4));
            const int mapLeft = barLeft + 8 + barWidth;
            painter.drawImage(QRect(mapLeft, top, kMap, kMap),
                divergingImage(term.map, extentOf(term.map), kMap));
            // The unit's own position on the map.
            painter.setPen(QPen(QColor(30, 30, 30), 1));
            const double cell = double(kMap) / std::max(1, term.map.width);
            if (c.exact)  // the map is over the unit's layer; from an earlier layer it is over that one
                painter.drawRect(QRectF(mapLeft + c.x * cell, top + c.y * cell, cell, cell));
            if (!term.kernel.values.empty())
                painter.drawImage(QRect(mapLeft + kMap + 8, top, kMap, kMap),
                    divergingImage(term.kernel, extentOf(term.kernel), kMap));
        }
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter painter(this);
        paintAll(painter, rect());
    }
    void mousePressEvent(QMouseEvent* event) override
    {
        const int row = rowAt(event->pos());
        if (event->button() == Qt::LeftButton && row >= 0 && channelClicked &&
            !circuit.inputLayer.empty())
            channelClicked(circuit.contributions[size_t(row)].inputChannel);
    }
    void contextMenuEvent(QContextMenuEvent* event) override
    {
        const int row = rowAt(event->pos());
        if (row < 0 || !circuit.exact || !cutClicked) {
            event->ignore();  // the panel's own menu (Export…)
            return;
        }
        const int input = circuit.contributions[size_t(row)].inputChannel;
        QMenu menu;
        menu.addAction(
            QObject::tr("Cut the kernel %1 → %2 (Circuit Edits)").arg(input).arg(circuit.channel),
            [this, input] { cutClicked(input); });
        menu.exec(event->globalPos());
    }
};

CircuitPanel::CircuitPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), view_(new CircuitView)
{
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* controls = new QHBoxLayout;
    k_ = spinBox(1, 64, 8, tr("top "), tr(" input channels"));
    from_ = new QLineEdit;
    from_->setPlaceholderText(tr("from: the conv's input (exact)"));
    from_->setToolTip(tr(
        "An earlier layer: each of its channels' gradient × activation (a first-order estimate)"));
    auto* run = new QPushButton(tr("Compute"));
    run->setToolTip(tr("Split the selected unit's pre-activation on this image into activation × "
                       "weight per input channel"));
    controls->addWidget(k_);
    controls->addWidget(from_, 1);
    controls->addWidget(run);
    layout->addLayout(controls);
    scroll_ = new QScrollArea;
    scroll_->setWidget(view_);
    scroll_->setWidgetResizable(true);
    layout->addWidget(scroll_, 1);
    setBody(body);
    connect(run, &QPushButton::clicked, this, &CircuitPanel::compute);
    // Walking the circuit backwards: a row selects its input channel as the current unit.
    view_->channelClicked = [this](int channel) {
        if (selection())
            selection()->selectUnit(QString::fromStdString(view_->circuit.inputLayer), channel);
    };
    view_->cutClicked = [this](int input) {
        emit cutKernelRequested(
            QString::fromStdString(view_->circuit.layer), view_->circuit.channel, input);
    };
    clearCircuit(tr("Exact for a convolution: the terms plus the bias equal its output."));
}

void CircuitPanel::compute()
{
    if (!selection() || selection()->channel() < 0) {
        setStatus(tr("Select a unit (layer:channel) of a convolution first."));
        return;
    }
    setStatus(tr("computing…"));
    emit circuitRequested(
        selection()->layer(), selection()->channel(), k_->value(), from_->text().trimmed());
}

void CircuitPanel::setCircuit(const CircuitResult& circuit)
{
    view_->circuit = circuit;
    view_->hasCircuit = true;
    view_->thumbnails.clear();
    view_->setMinimumHeight(view_->sizeHint().height());
    view_->update();
    if (!circuit.inputLayer.empty()) {
        QList<int> channels;
        for (const auto& term : circuit.contributions)
            channels << term.inputChannel;
        emit thumbnailsWanted(QString::fromStdString(circuit.inputLayer), channels);
    }
    setStatus(circuit.exact ? tr("Terms + bias = %1; the convolution's own output is %2.")
                                  .arg(double(circuit.preActivation), 0, 'g', 6)
                                  .arg(double(circuit.check), 0, 'g', 6)
                            : tr("Gradient × activation from %1: a first-order estimate (terms sum "
                                 "to %2, the unit is %3).")
                                  .arg(QString::fromStdString(circuit.inputLayer))
                                  .arg(double(circuit.preActivation), 0, 'g', 6)
                                  .arg(double(circuit.check), 0, 'g', 6));
}

void CircuitPanel::setThumbnail(const QString& layer, int channel, const QImage& image)
{
    if (!view_->hasCircuit || layer.toStdString() != view_->circuit.inputLayer)
        return;
    view_->thumbnails.insert(channel, image);
    view_->update();
}

bool CircuitPanel::hasThumbnail(int channel) const
{
    return view_->thumbnails.contains(channel);
}

void CircuitPanel::clearCircuit(const QString& message)
{
    view_->hasCircuit = false;
    view_->circuit = {};
    view_->setMinimumHeight(0);
    view_->update();
    setStatus(message);
}

const CircuitResult& CircuitPanel::circuit() const
{
    return view_->circuit;
}
int CircuitPanel::count() const
{
    return k_->value();
}

QString CircuitPanel::exportName() const
{
    return QStringLiteral("circuit-%1-%2")
        .arg(QString::fromStdString(view_->circuit.layer))
        .arg(view_->circuit.channel);
}

QSize CircuitPanel::exportSize() const
{
    return QSize(view_->sizeHint().width(), view_->sizeHint().height());
}

void CircuitPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    view_->paintAll(painter, QRect(QPoint(0, 0), size));
}

QJsonObject CircuitPanel::exportParameters() const
{
    const auto& c = view_->circuit;
    QJsonObject p;
    p[QStringLiteral("layer")] = QString::fromStdString(c.layer);
    p[QStringLiteral("channel")] = c.channel;
    p[QStringLiteral("x")] = c.x;
    p[QStringLiteral("y")] = c.y;
    p[QStringLiteral("stride")] = c.stride;
    p[QStringLiteral("padding")] = c.padding;
    p[QStringLiteral("input_layer")] = QString::fromStdString(c.inputLayer);
    p[QStringLiteral("exact")] = c.exact;
    p[QStringLiteral("pre_activation")] = double(c.preActivation);
    p[QStringLiteral("bias")] = double(c.bias);
    return p;
}

QString CircuitPanel::exportData() const
{
    if (!view_->hasCircuit)
        return {};
    QString csv = QStringLiteral("input_channel,contribution\n");
    for (const auto& term : view_->circuit.contributions)
        csv += QStringLiteral("%1,%2\n")
                   .arg(term.inputChannel)
                   .arg(double(term.contribution), 0, 'g', 8);
    return csv;
}

}  // namespace loupe::widgets
