#include "widgets/inversion_panel.h"

#include "widgets/image_row.h"
#include "widgets/plot_export.h"
#include "widgets/qt_image.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QPainter>
#include <QToolBar>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>

namespace loupe::widgets {

InversionPanel::InversionPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), layers_(new QLineEdit),
      strip_(new ImageRow(tr("Open an image, choose layers (comma-separated; empty: the selected "
                             "layer) and Invert"))),
      plot_(new QCustomPlot)
{
    layers_->setPlaceholderText(
        tr("layers, e.g. conv2,inception_3b,inception_4a (empty: selected)"));
    steps_ = spinBox(1, 5000, 256, {}, tr(" steps"), tr("Adam steps per layer"));
    tv_ = spinBox(0, 1000, 20, tr("TV "), tr("‰"),
        tr("Total-variation weight (thousandths): smoother reconstructions"));
    toolBar()->addWidget(layers_);
    toolBar()->addWidget(steps_);
    toolBar()->addWidget(tv_);
    toolBar()->addAction(tr("Invert"), this, &InversionPanel::run);
    strip_->setMinimumHeight(200);
    plot_->setMinimumHeight(140);
    plot_->xAxis->setLabel(tr("step"));
    plot_->yAxis->setLabel(tr("relative code error"));
    plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    plot_->legend->setVisible(true);
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(strip_, 3);
    layout->addWidget(plot_, 2);
    setBody(body);
    setStatus(tr("Reconstructs the current image from a layer's code (Mahendran & Vedaldi)."));
}

QStringList InversionPanel::layers() const
{
    QStringList out;
    for (const QString& l : layers_->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        out << l.trimmed();
    if (out.isEmpty() && !selection()->layer().isEmpty())
        out << selection()->layer();
    return out;
}

void InversionPanel::setLayersText(const QString& layers)
{
    layers_->setText(layers);
}

void InversionPanel::setSteps(int steps)
{
    steps_->setValue(steps);
}

void InversionPanel::run()
{
    const QStringList chosen = layers();
    if (chosen.isEmpty()) {
        setStatus(tr("Choose a layer (select one, or type layers above)."));
        return;
    }
    emit inversionRequested(chosen, steps_->value(), tv_->value() / 1000.0);
}

void InversionPanel::start(const QImage& target, const QStringList& layers)
{
    last_ = Inversion();
    strip_->setImages({target}, {tr("photo")});
    plot_->clearGraphs();
    for (int i = 0; i < layers.size(); ++i) {
        strip_->setImage(i + 1, QImage(), layers[i]);
        plot_->addGraph();
        plot_->graph(i)->setName(layers[i]);
        plot_->graph(i)->setPen(QPen(QColor::fromHsv((i * 67) % 360, 200, 190), 1.5));
    }
    plot_->replot();
    setStatus(tr("Inverting %1…").arg(layers.join(QStringLiteral(", "))));
}

void InversionPanel::showProgress(int layer, const QImage& image, int step, float error)
{
    if (layer < 0 || layer + 1 >= strip_->count())
        return;
    strip_->setImage(layer + 1, image,
        tr("%1\nstep %2, error %3")
            .arg(plot_->graph(layer)->name())
            .arg(step)
            .arg(double(error), 0, 'g', 3));
    plot_->graph(layer)->addData(step, std::max(1e-6, double(error)));
    plot_->rescaleAxes();
    plot_->replot();
}

void InversionPanel::showResult(const Inversion& inversion)
{
    last_ = inversion;
    QList<QImage> images{toQImage(inversion.target)};
    QStringList captions{tr("photo")};
    plot_->clearGraphs();
    for (size_t i = 0; i < inversion.layers.size(); ++i) {
        const auto& l = inversion.layers[i];
        images << toQImage(l.reconstruction);
        captions << tr("%1\nerror %2")
                        .arg(QString::fromStdString(l.layer))
                        .arg(double(l.finalError), 0, 'g', 3);
        QCPGraph* g = plot_->addGraph();
        g->setName(QString::fromStdString(l.layer));
        g->setPen(QPen(QColor::fromHsv(int(i * 67) % 360, 200, 190), 1.5));
        for (size_t s = 0; s < l.errorHistory.size(); ++s)
            g->addData(double(s + 1), std::max(1e-6, double(l.errorHistory[s])));
    }
    strip_->setImages(images, captions);
    plot_->rescaleAxes();
    plot_->replot();
    setStatus(tr("Relative code error ||φ(x) − φ(x₀)||² / ||φ(x₀)||² reached per layer; deeper "
                 "layers keep less of the photo."));
}

void InversionPanel::clearResult(const QString& message)
{
    setStatus(message);
}

int InversionPanel::reconstructionCount() const
{
    return int(last_.layers.size());
}

QString InversionPanel::exportName() const
{
    return QStringLiteral("inversion");
}

QSize InversionPanel::exportSize() const
{
    return QSize(std::max(480, 150 * strip_->count()), 360);
}

void InversionPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    strip_->paintAll(painter, QRect(0, 0, size.width(), 170));
    paintPlot(painter, plot_, QRect(0, 180, size.width(), size.height() - 180));
}

QJsonObject InversionPanel::exportParameters() const
{
    QJsonObject p;
    QJsonArray layers;
    for (const auto& l : last_.layers) {
        QJsonObject o;
        o[QStringLiteral("layer")] = QString::fromStdString(l.layer);
        o[QStringLiteral("initial_error")] = double(l.initialError);
        o[QStringLiteral("final_error")] = double(l.finalError);
        layers.append(o);
    }
    p[QStringLiteral("layers")] = layers;
    p[QStringLiteral("steps")] = steps_->value();
    p[QStringLiteral("total_variation")] = tv_->value() / 1000.0;
    p[QStringLiteral("objective")] =
        QStringLiteral("relative L2 code error, Fourier parameterisation, Adam lr 0.05");
    return p;
}

QString InversionPanel::exportData() const
{
    if (last_.layers.empty())
        return {};
    QString csv = QStringLiteral("layer,step,relative_code_error\n");
    for (const auto& l : last_.layers)
        for (size_t s = 0; s < l.errorHistory.size(); ++s)
            csv += QStringLiteral("%1,%2,%3\n")
                       .arg(QString::fromStdString(l.layer))
                       .arg(s + 1)
                       .arg(double(l.errorHistory[s]), 0, 'g', 6);
    return csv;
}

}  // namespace loupe::widgets
