#pragma once

#include <qcustomplot.h>

namespace loupe::widgets {

// Legends outside the data: a narrow column to the right of the axis rect, without a frame
// (a legend inset in the axis rect hides the points under it, in the dock and in figures).
inline void placeLegendOutside(QCustomPlot* plot)
{
    plot->legend->setVisible(true);
    plot->legend->setBorderPen(Qt::NoPen);
    // The legend at the top of its column, empty space below (alone in the column its entries
    // would spread over the plot's whole height).
    auto* column = new QCPLayoutGrid;
    plot->plotLayout()->addElement(0, 1, column);
    plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    column->addElement(0, 0, plot->legend);
    column->addElement(1, 0, new QCPLayoutElement(plot));
    column->setRowStretchFactor(0, 0.001);
}

}  // namespace loupe::widgets
