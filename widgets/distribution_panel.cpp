#include "widgets/distribution_panel.h"

#include "widgets/plot_export.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QPicture>
#include <QSplitter>
#include <QToolBar>

#include <algorithm>
#include <cmath>

namespace loupe::widgets {
namespace {

QCustomPlot* makePlot(const QString& yLabel, const QColor& colour)
{
    auto* plot = new QCustomPlot;
    plot->setMinimumHeight(150);
    plot->addGraph();
    plot->graph(0)->setPen(QPen(colour, 1.5));
    plot->graph(0)->setBrush(QColor(colour.red(), colour.green(), colour.blue(), 60));
    plot->xAxis->setLabel(QObject::tr("pre-ReLU activation"));
    plot->yAxis->setLabel(yLabel);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    return plot;
}

}  // namespace

DistributionPanel::DistributionPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), density_(makePlot(tr("density"), QColor(60, 110, 190))),
      contribution_(makePlot(tr("activation × density"), QColor(200, 110, 30)))
{
    log_ = new QCheckBox(tr("Log density"));
    toolBar()->addWidget(log_);
    connect(log_, &QCheckBox::toggled, this, &DistributionPanel::replot);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(density_);
    splitter->addWidget(contribution_);
    setBody(splitter);
    clearDistribution(
        tr("Scan a folder (Dataset > Scan Folder…) to see each unit's distribution."));
}

bool DistributionPanel::logDensity() const
{
    return log_->isChecked();
}

int DistributionPanel::plottedPoints() const
{
    return int(density_->graph(0)->dataCount());
}

void DistributionPanel::setDistribution(const UnitExamples& examples)
{
    data_ = examples;
    setStatus(tr("%1:%2 — %3 positions, %4% active (> 0), mean %5, std %6")
                  .arg(QString::fromStdString(examples.layer))
                  .arg(examples.channel)
                  .arg(qulonglong(examples.positions))
                  .arg(examples.fractionActive * 100, 0, 'f', 2)
                  .arg(examples.mean, 0, 'g', 4)
                  .arg(examples.standardDeviation, 0, 'g', 4));
    replot();
}

void DistributionPanel::clearDistribution(const QString& message)
{
    data_ = UnitExamples();
    density_->graph(0)->data()->clear();
    contribution_->graph(0)->data()->clear();
    density_->replot();
    contribution_->replot();
    setStatus(message);
}

void DistributionPanel::replot()
{
    QVector<double> x, density, contribution;
    for (const DensityPoint& point : evenDensity(data_, 160)) {
        x << point.activation;
        density << (logDensity() && point.density <= 0 ? qQNaN() : point.density);
        contribution << point.activation * point.density;
    }
    density_->graph(0)->setData(x, density, true);
    contribution_->graph(0)->setData(x, contribution, true);
    density_->yAxis->setScaleType(logDensity() ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (logDensity())
        density_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else
        density_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    density_->rescaleAxes();
    contribution_->rescaleAxes();
    density_->replot();
    contribution_->replot();
}

QString DistributionPanel::exportName() const
{
    return QStringLiteral("distribution-%1_%2")
        .arg(QString::fromStdString(data_.layer).replace(QLatin1Char('.'), QLatin1Char('_')))
        .arg(data_.channel);
}

QSize DistributionPanel::exportSize() const
{
    return QSize(520, 480);
}

void DistributionPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    paintPlot(painter, density_, QRect(0, 0, size.width(), size.height() / 2));
    paintPlot(painter, contribution_, QRect(0, size.height() / 2, size.width(), size.height() / 2));
}

QString DistributionPanel::exportData() const
{
    return QString::fromStdString(histogramCsv(data_));
}

QJsonObject DistributionPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("layer")] = QString::fromStdString(data_.layer);
    p[QStringLiteral("channel")] = data_.channel;
    p[QStringLiteral("folder")] = QString::fromStdString(data_.folder);
    p[QStringLiteral("positions")] = qint64(data_.positions);
    p[QStringLiteral("fraction_active")] = data_.fractionActive;
    p[QStringLiteral("mean")] = data_.mean;
    p[QStringLiteral("std")] = data_.standardDeviation;
    p[QStringLiteral("log_density")] = logDensity();
    p[QStringLiteral("bins")] = QStringLiteral("signed-log, 16 per octave");
    return p;
}

}  // namespace loupe::widgets
