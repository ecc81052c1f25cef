#include "widgets/colour_bar.h"

#include <QObject>

#include "core/colormap.h"
#include "widgets/qt_image.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace loupe::widgets {

void paintColourBar(QPainter& painter, const QRect& area, const AttributionMap& map)
{
    float lo = 0, hi = 0;
    for (float v : map.values) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    const float extent = std::max(std::abs(lo), std::abs(hi));
    const float left = map.isSigned ? -extent : 0.f, right = map.isSigned ? extent : hi;
    FloatMap ramp;
    ramp.width = 256;
    ramp.height = 1;
    for (int i = 0; i < ramp.width; ++i)
        ramp.values.push_back(left + (right - left) * float(i) / float(ramp.width - 1));
    const RgbImage colours = map.isSigned
        ? colorize(ramp, left, right, Colormap::Diverging)
        : colorize(ramp, 0, right > 0 ? right : 1, Colormap::Magma);
    const int labelWidth = std::min(64, area.width() / 5);
    const int barHeight = std::max(6, area.height() / 2 - 2);
    const QRect bar(area.left() + labelWidth, area.top() + 1,
        std::max(10, area.width() - 2 * labelWidth), barHeight);
    painter.drawImage(bar, toQImage(colours));
    painter.setPen(QColor(90, 90, 90));
    painter.drawRect(bar.adjusted(0, 0, -1, -1));
    painter.drawText(QRect(area.left(), bar.top(), labelWidth - 4, bar.height()),
        Qt::AlignRight | Qt::AlignVCenter, QString::number(double(left), 'g', 3));
    painter.drawText(QRect(bar.right() + 4, bar.top(), labelWidth - 4, bar.height()),
        Qt::AlignLeft | Qt::AlignVCenter, QString::number(double(right), 'g', 3));
    const QFont normal = painter.font();
    QFont small = normal;
    small.setPointSizeF(normal.pointSizeF() * 0.8);
    painter.setFont(small);
    painter.drawText(
        QRect(area.left(), bar.bottom() + 1, area.width(), area.bottom() - bar.bottom()),
        Qt::AlignHCenter | Qt::AlignTop,
        painter.fontMetrics().elidedText(colourBarLabel(map), Qt::ElideRight, area.width()));
    painter.setFont(normal);
}

QString colourBarLabel(const AttributionMap& map)
{
    // Each method has its own scale (a gradient per pixel, a probability drop per patch, a
    // LIME weight per superpixel): the bar says which sign convention, not a common unit.
    return map.isSigned ? QObject::tr("signed: red for, blue against (method's scale)")
                        : QObject::tr("magnitude (method's own scale)");
}

}  // namespace loupe::widgets
