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
    painter.drawPicture(target.topLeft(), picture);
}

} // namespace loupe::widgets
