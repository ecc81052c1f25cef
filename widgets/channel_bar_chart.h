#pragma once

#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPBars;
class QCPGraph;
class QCPItemStraightLine;
class QPainter;

namespace loupe::widgets {

// Per-channel mean (bars) and max (dots) of a layer; dead channels marked in red on the axis.
// Clicking a bar emits its channel.
class ChannelBarChart : public QWidget {
    Q_OBJECT
public:
    explicit ChannelBarChart(QWidget* parent = nullptr);

    void setValues(
        const QVector<double>& mean, const QVector<double>& max, const QVector<bool>& dead);
    void setSelectedChannel(int channel);
    QCustomPlot* plot() const { return plot_; }
    // Vector painting for export (QCustomPlot drawn through a QPicture keeps it vector).
    void paintPlot(QPainter& painter, const QRect& target) const;

signals:
    void channelClicked(int channel);

private:
    QCustomPlot* plot_;
    QCPBars* meanBars_;
    QCPGraph* maxDots_;
    QCPGraph* deadMarks_;
    QCPItemStraightLine* selectedLine_;
};

}  // namespace loupe::widgets
