#pragma once

#include <QRect>

class QCustomPlot;
class QPainter;

namespace loupe::widgets {

// Draws a QCustomPlot into any painter as vectors (through a QPicture), so that SVG and PDF
// exports keep plots sharp instead of embedding the on-screen bitmap.
void paintPlot(QPainter& painter, QCustomPlot* plot, const QRect& target);

}  // namespace loupe::widgets
