#include "widgets/channel_bar_chart.h"
#include "widgets/plot_legend.h"

#include "widgets/plot_export.h"

#include <qcustomplot.h>

#include <QPicture>
#include <QVBoxLayout>

namespace loupe::widgets {

ChannelBarChart::ChannelBarChart(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->setMinimumHeight(140);
    setMaximumHeight(320);

    meanBars_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    meanBars_->setName(tr("mean"));
    meanBars_->setPen(Qt::NoPen);
    meanBars_->setBrush(QColor(60, 110, 190));
    meanBars_->setWidth(0.8);
    maxDots_ = plot_->addGraph();
    maxDots_->setName(tr("max"));
    maxDots_->setLineStyle(QCPGraph::lsNone);
    maxDots_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(240, 140, 30), 3));
    deadMarks_ = plot_->addGraph();
    deadMarks_->setName(tr("dead"));
    deadMarks_->setLineStyle(QCPGraph::lsNone);
    deadMarks_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, QColor(220, 30, 30), 6));
    selectedLine_ = new QCPItemStraightLine(plot_);
    selectedLine_->setPen(QPen(QColor(255, 150, 0), 1.5, Qt::DashLine));
    selectedLine_->setVisible(false);

    plot_->xAxis->setLabel(tr("channel"));
    plot_->yAxis->setLabel(tr("activation"));
    plot_->legend->setFont(QFont(font().family(), 8));
    placeLegendOutside(plot_);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom | QCP::iSelectPlottables);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);

    connect(plot_, &QCustomPlot::plottableClick, this,
        [this](QCPAbstractPlottable*, int dataIndex, QMouseEvent*) {
            if (dataIndex >= 0)
                emit channelClicked(dataIndex);
        });
}

void ChannelBarChart::setValues(
    const QVector<double>& mean, const QVector<double>& max, const QVector<bool>& dead)
{
    QVector<double> keys(mean.size());
    QVector<double> deadKeys, deadValues;
    for (int i = 0; i < mean.size(); ++i) {
        keys[i] = i;
        if (i < dead.size() && dead[i]) {
            deadKeys << i;
            deadValues << 0;
        }
    }
    meanBars_->setData(keys, mean, true);
    maxDots_->setData(keys, max, true);
    deadMarks_->setData(deadKeys, deadValues, true);
    plot_->xAxis->setRange(-1, qMax(1, int(mean.size())));
    double lo = 0, hi = 1;
    for (int i = 0; i < mean.size(); ++i) {
        lo = qMin(lo, qMin(mean[i], max.value(i)));
        hi = qMax(hi, qMax(mean[i], max.value(i)));
    }
    plot_->yAxis->setRange(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo));
    plot_->replot();
}

void ChannelBarChart::setSelectedChannel(int channel)
{
    selectedLine_->setVisible(channel >= 0);
    selectedLine_->point1->setCoords(channel, 0);
    selectedLine_->point2->setCoords(channel, 1);
    plot_->replot();
}

void ChannelBarChart::paintPlot(QPainter& painter, const QRect& target) const
{
    loupe::widgets::paintPlot(painter, plot_, target);
}

}  // namespace loupe::widgets
