#include "widgets/plot_export.h"

#include <qcustomplot.h>

#include <QPicture>

namespace loupe::widgets {

void paintPlot(QPainter& painter, QCustomPlot* plot, const QRect& target)
{
    QPicture picture;
    {
        QCPPainter qcp(&picture);
        plot->toPainter(&qcp, target.width(), target.height());
    }
    // QPainter::drawPicture rescales a picture by the ratio of the device's resolution to the
    // one it was recorded at (the screen's, e.g. 96 dpi), on top of the export's own scaling:
    // a 300-dpi PNG drew plots 3x too large, a 72-dpi one at three quarters. Undo that ratio so
    // that the plot fills exactly `target` in the painter's coordinates.
    const QPaintDevice* device = painter.device();
    const double sx = device ? double(picture.logicalDpiX()) / device->logicalDpiX() : 1.0;
    const double sy = device ? double(picture.logicalDpiY()) / device->logicalDpiY() : 1.0;
    painter.save();
    painter.translate(target.topLeft());
    painter.scale(sx, sy);
    painter.drawPicture(QPointF(0, 0), picture);
    painter.restore();
}

}  // namespace loupe::widgets
