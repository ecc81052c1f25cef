#include "widgets/colour_bar.h"

#include <QObject>

#include "core/colormap.h"
#include "widgets/qt_image.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace loupe::widgets {

ColourScale colourScale(float lo, float hi, Colormap colormap, const QString& label)
{
    if (colormap == Colormap::Diverging) {
        const float extent = std::max(std::abs(lo), std::abs(hi));
        lo = -extent;
        hi = extent;
    }
    FloatMap ramp;
    ramp.width = 256;
    ramp.height = 1;
    for (int i = 0; i < ramp.width; ++i)
        ramp.values.push_back(lo + (hi - lo) * float(i) / float(ramp.width - 1));
    ColourScale scale;
    scale.ramp = toQImage(colorize(ramp, lo, hi > lo ? hi : lo + 1, colormap));
    scale.low = QString::number(double(lo), 'g', 3);
    scale.high = QString::number(double(hi), 'g', 3);
    scale.label = label;
    return scale;
}

ColourScale attributionScale(const AttributionMap& map, float lo, float hi)
{
    return colourScale(map.isSigned ? lo : 0.f, hi,
        map.isSigned ? Colormap::Diverging : Colormap::Magma, colourBarLabel(map));
}

void paintColourScale(QPainter& painter, const QRect& area, const ColourScale& scale)
{
    if (scale.isEmpty())
        return;
    const int labelWidth = std::min(64, area.width() / 5);
    const int barHeight = std::clamp(area.height() / 2 - 2, 6, 14);  // room for two lines under it
    const QRect bar(area.left() + labelWidth, area.top() + 1,
        std::max(10, area.width() - 2 * labelWidth), barHeight);
    painter.drawImage(bar, scale.ramp);
    painter.setPen(QColor(90, 90, 90));
    painter.drawRect(bar.adjusted(0, 0, -1, -1));
    painter.drawText(QRect(area.left(), bar.top(), labelWidth - 4, bar.height()),
        Qt::AlignRight | Qt::AlignVCenter, scale.low);
    painter.drawText(QRect(bar.right() + 4, bar.top(), labelWidth - 4, bar.height()),
        Qt::AlignLeft | Qt::AlignVCenter, scale.high);
    const QFont normal = painter.font();
    QFont small = normal;
    small.setPointSizeF(normal.pointSizeF() * 0.8);
    painter.setFont(small);
    // Wrapped when the room under the bar holds it, else one line cut short.
    const QRect under(area.left(), bar.bottom() + 1, area.width(), area.bottom() - bar.bottom());
    const int flags = Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap;
    if (painter.fontMetrics().boundingRect(under, flags, scale.label).height() <= under.height())
        painter.drawText(under, flags, scale.label);
    else
        painter.drawText(under, Qt::AlignHCenter | Qt::AlignTop,
            painter.fontMetrics().elidedText(scale.label, Qt::ElideRight, area.width()));
    painter.setFont(normal);
}

void paintScaleBar(QPainter& painter, const QRect& area, float lo, float hi, Colormap colormap,
    const QString& label)
{
    paintColourScale(painter, area, colourScale(lo, hi, colormap, label));
}

void paintColourBar(QPainter& painter, const QRect& area, const AttributionMap& map)
{
    float lo = 0, hi = 0;
    for (float v : map.values) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    paintColourScale(painter, area, attributionScale(map, lo, hi));
}

QString colourBarLabel(const AttributionMap& map)
{
    // Each method has its own scale (a gradient per pixel, a probability drop per patch, a
    // LIME weight per superpixel): the bar says which sign convention, not a common unit.
    return map.isSigned ? QObject::tr("signed: red for, blue against (method's scale)")
                        : QObject::tr("magnitude (method's own scale)");
}

}  // namespace loupe::widgets
