#include "widgets/style_panel.h"

#include "widgets/image_row.h"
#include "widgets/plot_export.h"
#include "widgets/qt_image.h"
#include "widgets/spin_box.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QPainter>
#include <QToolBar>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace loupe::widgets {

StylePanel::StylePanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), contentLayer_(new QLineEdit), styleLayers_(new QLineEdit),
      row_(new ImageRow(tr("Open an image (the content), choose a style photo and Transfer"))),
      plot_(new QCustomPlot)
{
    contentLayer_->setPlaceholderText(tr("content layer (auto)"));
    contentLayer_->setMaximumWidth(150);
    styleLayers_->setPlaceholderText(tr("style layers, comma-separated (auto)"));
    styleLayers_->setMinimumWidth(200);
    styleWeight_ = spinBox(0, 100000, 10, tr("style ×"), {},
        tr("Weight of the style loss against the content loss (both relative)"));
    steps_ = spinBox(1, 5000, 300, {}, tr(" steps"), tr("Adam steps"));
    // The verbs first: a narrow dock hides the tool bar's tail behind its » menu.
    toolBar()->addAction(tr("Style Photo…"), this, &StylePanel::chooseStylePhoto);
    toolBar()->addAction(tr("Transfer"), this, &StylePanel::run);
    toolBar()->addWidget(steps_);
    toolBar()->addWidget(styleWeight_);
    toolBar()->addWidget(contentLayer_);
    toolBar()->addWidget(styleLayers_);
    plot_->setMinimumHeight(120);
    plot_->xAxis->setLabel(tr("step"));
    plot_->yAxis->setLabel(tr("relative loss"));
    plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    plot_->legend->setVisible(true);
    plot_->addGraph()->setName(tr("content"));
    plot_->graph(0)->setPen(QPen(QColor(40, 110, 200), 1.5));
    plot_->addGraph()->setName(tr("style"));
    plot_->graph(1)->setPen(QPen(QColor(200, 60, 60), 1.5));
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(row_, 3);
    layout->addWidget(plot_, 2);
    setBody(body);
    setStatus(tr("Style transfer (Gatys et al.): the current image's content in a style photo's "
                 "textures."));
}

void StylePanel::setStylePath(const QString& path)
{
    stylePath_ = path;
    setStatus(tr("Style: %1").arg(QFileInfo(path).fileName()));
}

void StylePanel::setSteps(int steps)
{
    steps_->setValue(steps);
}

void StylePanel::setLayersText(const QString& contentLayer, const QString& styleLayers)
{
    contentLayer_->setText(contentLayer);
    styleLayers_->setText(styleLayers);
}

void StylePanel::chooseStylePhoto()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Style Photo"), stylePath_,
        tr("Images (*.png *.jpg *.jpeg *.JPEG *.bmp *.webp *.tif *.tiff)"));
    if (!path.isEmpty())
        setStylePath(path);
}

void StylePanel::run()
{
    if (stylePath_.isEmpty()) {
        setStatus(tr("Choose a style photo first (Style Photo…)."));
        return;
    }
    StyleConfig config;
    config.contentLayer = contentLayer_->text().trimmed().toStdString();
    for (const QString& l : styleLayers_->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        config.styleLayers.push_back(l.trimmed().toStdString());
    config.styleWeight = float(styleWeight_->value());
    config.steps = steps_->value();
    emit styleRequested(stylePath_, config);
}

void StylePanel::start(const QImage& content, const QImage& style)
{
    last_ = StyleTransfer();
    row_->setImages({content, style, QImage()}, {tr("content"), tr("style"), tr("result")});
    plot_->graph(0)->data()->clear();
    plot_->graph(1)->data()->clear();
    plot_->replot();
    setStatus(tr("Transferring the style…"));
}

void StylePanel::showProgress(const QImage& image, int step, float contentLoss, float styleLoss)
{
    row_->setImage(2, image, tr("step %1").arg(step));
    addLosses(step, contentLoss, styleLoss);
    plot_->rescaleAxes();
    plot_->replot();
}

void StylePanel::addLosses(int step, float contentLoss, float styleLoss)
{
    // A log axis: zeros (the content loss at step 1, starting from the content) are left out.
    if (contentLoss > 0.f)
        plot_->graph(0)->addData(step, double(contentLoss));
    if (styleLoss > 0.f)
        plot_->graph(1)->addData(step, double(styleLoss));
}

void StylePanel::showResult(const StyleTransfer& result)
{
    last_ = result;
    QString styleLayers;
    for (const auto& l : result.styleLayers)
        styleLayers +=
            (styleLayers.isEmpty() ? QString() : QStringLiteral(", ")) + QString::fromStdString(l);
    row_->setImages({toQImage(result.content), toQImage(result.style), toQImage(result.result)},
        {tr("content (%1)").arg(QString::fromStdString(result.contentLayer)), tr("style"),
            tr("result")});
    plot_->graph(0)->data()->clear();
    plot_->graph(1)->data()->clear();
    for (size_t s = 0; s < result.styleLoss.size(); ++s)
        addLosses(int(s + 1), result.contentLoss[s], result.styleLoss[s]);
    plot_->rescaleAxes();
    plot_->replot();
    if (!result.styleLoss.empty())
        setStatus(tr("Style loss %1 → %2, content loss %3 at the end (style layers: %4).")
                      .arg(double(result.styleLoss.front()), 0, 'g', 3)
                      .arg(double(result.styleLoss.back()), 0, 'g', 3)
                      .arg(double(result.contentLoss.back()), 0, 'g', 3)
                      .arg(styleLayers));
}

void StylePanel::clearResult(const QString& message)
{
    setStatus(message);
}

QString StylePanel::exportName() const
{
    return QStringLiteral("style-transfer");
}

QSize StylePanel::exportSize() const
{
    return QSize(720, 440);
}

void StylePanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    row_->paintAll(painter, QRect(0, 0, size.width(), 280));
    paintPlot(painter, plot_, QRect(0, 290, size.width(), size.height() - 290));
}

QJsonObject StylePanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("style_photo")] = QFileInfo(stylePath_).fileName();
    p[QStringLiteral("content_layer")] = QString::fromStdString(last_.contentLayer);
    QJsonArray layers;
    for (const auto& l : last_.styleLayers)
        layers.append(QString::fromStdString(l));
    p[QStringLiteral("style_layers")] = layers;
    p[QStringLiteral("style_weight")] = styleWeight_->value();
    p[QStringLiteral("steps")] = steps_->value();
    if (!last_.styleLoss.empty()) {
        p[QStringLiteral("final_style_loss")] = double(last_.styleLoss.back());
        p[QStringLiteral("final_content_loss")] = double(last_.contentLoss.back());
    }
    return p;
}

QString StylePanel::exportData() const
{
    if (last_.styleLoss.empty())
        return {};
    QString csv = QStringLiteral("step,content_loss,style_loss\n");
    for (size_t s = 0; s < last_.styleLoss.size(); ++s)
        csv += QStringLiteral("%1,%2,%3\n")
                   .arg(s + 1)
                   .arg(double(last_.contentLoss[s]), 0, 'g', 6)
                   .arg(double(last_.styleLoss[s]), 0, 'g', 6);
    return csv;
}

}  // namespace loupe::widgets
