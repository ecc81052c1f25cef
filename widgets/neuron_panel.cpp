#include "widgets/neuron_panel.h"

#include "core/error.h"
#include "widgets/channel_grid.h"
#include "widgets/plot_export.h"
#include "widgets/qt_image.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPicture>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QToolBar>

namespace loupe::widgets {
namespace {
constexpr int kViewSize = 224;

}  // namespace

NeuronPanel::NeuronPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), positiveView_(new QLabel), negativeView_(new QLabel),
      caption_(new QLabel), plot_(new QCustomPlot), layerGrid_(new ChannelGrid)
{
    toolBar()
        ->addAction(tr("Render"), this, &NeuronPanel::requestRender)
        ->setToolTip(tr("Render the selected unit"));
    toolBar()
        ->addAction(tr("Render Layer"), this, &NeuronPanel::requestLayerRender)
        ->setToolTip(tr("Render every channel of the layer (batched, cached in the workspace)"));
    toolBar()->addSeparator();
    parameterization_ = new QComboBox;
    parameterization_->addItems({tr("Fourier"), tr("Pixels"), tr("Upscaling")});
    parameterization_->setToolTip(tr("Fourier: 1/f spectrum + decorrelated colour (Lucid default). "
                                     "Pixels: plain, for comparison. "
                                     "Upscaling: optimise small, upscale, blur, continue."));
    size_ = spinBox(32, 512, 128, {}, tr(" px"));
    steps_ = spinBox(1, 4096, 256, {}, tr(" steps"));
    seed_ = spinBox(0, 1000000, 0);
    seed_->setPrefix(tr("seed "));
    autoRender_ = new QCheckBox(tr("Auto"));
    autoRender_->setChecked(true);
    autoRender_->setToolTip(tr("Render when a unit is selected"));
    showNegative_ = new QCheckBox(tr("Negative"));
    showNegative_->setChecked(true);
    showNegative_->setToolTip(tr("Also render what inhibits the unit"));
    preRelu_ = new QCheckBox(tr("Pre-ReLU"));
    preRelu_->setToolTip(
        tr("Optimise the value before the unit's ReLU: silent (dead) units still get a gradient"));
    // The tool bar keeps what sets the picture's look; the rest goes in a row under the
    // objective, so that at the dock's usual width nothing folds into ».
    for (QWidget* w : std::initializer_list<QWidget*>{parameterization_, size_, steps_})
        toolBar()->addWidget(w);

    for (QLabel* view : {positiveView_, negativeView_}) {
        view->setFixedSize(kViewSize, kViewSize);
        view->setAlignment(Qt::AlignCenter);
        view->setFrameShape(QFrame::StyledPanel);
    }
    objectiveEdit_ = new QLineEdit;
    objectiveEdit_->setPlaceholderText(
        tr("Objective: empty = selected unit; e.g. mixed3:5+mixed3:9, neuron:conv4:3@4,4, "
           "layer:mixed3, logit:2"));
    objectiveEdit_->setClearButtonEnabled(true);
    connect(objectiveEdit_, &QLineEdit::returnPressed, this, &NeuronPanel::requestRender);
    images_ = spinBox(1, 8, 1, {}, tr(" image(s)"));
    images_->setToolTip(
        tr("Render several images at once; with diversity they show different facets of the unit"));
    diversity_ = new QDoubleSpinBox;
    diversity_->setRange(0, 1e6);
    diversity_->setDecimals(1);
    diversity_->setPrefix(tr("diversity "));
    diversity_->setToolTip(
        tr("Weight of the Gram-matrix dissimilarity between the images (Lucid's diversity term)"));
    auto* objectiveRow = new QWidget;
    auto* objectiveLayout = new QHBoxLayout(objectiveRow);
    objectiveLayout->setContentsMargins(0, 0, 0, 0);
    objectiveLayout->addWidget(objectiveEdit_, 1);
    objectiveLayout->addWidget(images_);
    objectiveLayout->addWidget(diversity_);

    auto* images = new QWidget;
    auto* grid = new QGridLayout(images);
    // The objective is an input: it sits first, where it stays visible in a short dock.
    auto* optionsRow = new QWidget;
    auto* optionsLayout = new QHBoxLayout(optionsRow);
    optionsLayout->setContentsMargins(0, 0, 0, 0);
    for (QWidget* w : std::initializer_list<QWidget*>{seed_, preRelu_, showNegative_, autoRender_})
        optionsLayout->addWidget(w);
    optionsLayout->addStretch(1);
    grid->addWidget(objectiveRow, 0, 0, 1, 2);
    grid->addWidget(optionsRow, 1, 0, 1, 2);
    grid->addWidget(new QLabel(tr("<b>Excites</b> (maximises the objective)")), 2, 0);
    grid->addWidget(new QLabel(tr("<b>Inhibits</b> (minimises it)")), 2, 1);
    grid->addWidget(positiveView_, 3, 0);
    grid->addWidget(negativeView_, 3, 1);
    grid->addWidget(caption_, 4, 0, 1, 2);
    caption_->setWordWrap(true);
    plot_->setMinimumHeight(120);
    plot_->addGraph();
    plot_->graph(0)->setPen(QPen(QColor(60, 110, 190), 1.5));
    plot_->addGraph();
    plot_->graph(1)->setPen(QPen(QColor(200, 60, 60), 1.5));
    plot_->xAxis->setLabel(tr("step"));
    plot_->yAxis->setLabel(tr("objective"));
    grid->addWidget(plot_, 5, 0, 1, 2);

    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(layerGrid_);
    layerGrid_->setTileSize(64);
    layerGrid_->setPlaceholder(tr("Render Layer shows every channel's feature visualization here"));
    // The top pane scrolls rather than squeeze: a wrapped caption of three lines would
    // otherwise be drawn over the images when the dock is short.
    auto* imagesScroll = new QScrollArea;
    imagesScroll->setWidgetResizable(true);
    imagesScroll->setFrameShape(QFrame::NoFrame);
    imagesScroll->setWidget(images);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(imagesScroll);
    splitter->addWidget(scroll);
    splitter->setSizes({600, 220});
    setBody(splitter);

    connect(selection(), &UnitSelection::unitChanged, this, &NeuronPanel::onUnitChanged);
    connect(layerGrid_, &ChannelGrid::channelClicked, this, [this](int channel) {
        if (!layerGridLayer_.isEmpty())
            selection()->selectUnit(layerGridLayer_, channel);
    });
    refreshImages();
}

void NeuronPanel::setDefaultSize(int size)
{
    size_->setValue(qBound(size_->minimum(), size, size_->maximum()));
}

QString NeuronPanel::unitText() const
{
    return channel_ >= 0 ? QStringLiteral("%1:%2").arg(layer_).arg(channel_) : layer_;
}

void NeuronPanel::setObjectiveText(const QString& text)
{
    objectiveEdit_->setText(text);
}

FeatureVisConfig NeuronPanel::config(bool negative) const
{
    FeatureVisConfig c;
    if (!objectiveEdit_->text().trimmed().isEmpty()) {
        c.objective = ObjectiveTerm::parse(objectiveEdit_->text().trimmed().toStdString());
    } else {
        ObjectiveTerm term;
        term.kind = ObjectiveTerm::Kind::Channel;
        term.layer = layer_.toStdString();
        term.channel = channel_;
        c.objective = {term};
    }
    const int param = parameterization_->currentIndex();
    c.parameterization = param == 0 ? FeatureVisConfig::Parameterization::Fourier
        : param == 1                ? FeatureVisConfig::Parameterization::Pixel
                                    : FeatureVisConfig::Parameterization::Upscaling;
    c.decorrelateColour = param != 1;
    c.batch = images_->value();
    c.diversity = float(diversity_->value());
    c.size = size_->value();
    c.steps = steps_->value();
    c.seed = std::uint64_t(seed_->value());
    c.negative = negative;
    // What inhibits a unit lives below its ReLU: a post-ReLU objective is flat at zero there,
    // so the negative always optimises the pre-ReLU value.
    c.preRelu = negative || preRelu_->isChecked();
    c.previewEvery = 16;
    return c;
}

void NeuronPanel::onUnitChanged(const QString& layer, int channel)
{
    layer_ = layer;
    channel_ = channel;
    positive_ = QImage();
    negative_ = QImage();
    positiveCaption_.clear();
    negativeCaption_.clear();
    caption_->clear();
    history_.clear();
    plot_->graph(0)->data()->clear();
    plot_->graph(1)->data()->clear();
    plot_->replot();
    layerGrid_->setSelectedChannel(layer == layerGridLayer_ ? channel : -1);
    objectiveEdit_->clear();  // a new selection means "show me this unit"
    if (channel < 0) {
        setStatus(tr("Select a channel (click a tile in Activations, or in the layer grid below) "
                     "to see what it responds to."));
    } else {
        setStatus(tr("%1").arg(unitText()));
        if (autoRender_->isChecked())
            requestRender();
    }
    refreshImages();
}

void NeuronPanel::requestRender()
{
    const bool typed = !objectiveEdit_->text().trimmed().isEmpty();
    if (!typed && (layer_.isEmpty() || channel_ < 0))
        return;
    try {
        FeatureVisConfig positive = config(false);
        FeatureVisConfig negative = config(true);
        if (!showNegative_->isChecked())
            negative.steps = 0;  // a zero-step request means "no negative render"
        positive_ = QImage();
        negative_ = QImage();
        plot_->graph(0)->data()->clear();
        plot_->graph(1)->data()->clear();
        setStatus(typed ? objectiveEdit_->text().trimmed() : unitText());
        emit renderRequested(positive, negative);
    } catch (const Error& e) {
        setStatus(tr("Objective: %1").arg(QString::fromStdString(e.what())));
    }
}

void NeuronPanel::requestLayerRender()
{
    if (layer_.isEmpty())
        return;
    FeatureVisConfig base;
    try {
        base = config(false);
    } catch (const Error&) {
        objectiveEdit_->clear();
        base = config(false);
    }
    base.batch = 1;
    base.diversity = 0;
    base.previewEvery = 0;
    emit renderLayerRequested(base, layer_);
}

void NeuronPanel::showProgress(bool negative, const RgbImage& image, int step, float objective)
{
    (negative ? negative_ : positive_) = toQImage(image);
    plot_->graph(negative ? 1 : 0)->addData(step, objective);
    plot_->rescaleAxes();
    plot_->replot();
    refreshImages();
}

void NeuronPanel::showResult(bool negative, const FeatureVisResult& result, bool fromCache)
{
    if (!result.images.empty())
        (negative ? negative_ : positive_) = toQImage(result.images.front());
    QCPGraph* graph = plot_->graph(negative ? 1 : 0);
    graph->data()->clear();
    for (int i = 0; i < int(result.objectiveHistory.size()); ++i)
        graph->addData(i + 1, result.objectiveHistory[size_t(i)]);
    plot_->rescaleAxes();
    plot_->replot();
    if (!negative) {
        history_.clear();
        for (float v : result.objectiveHistory)
            history_ << v;
    }
    const QString what = negative ? tr("negative") : tr("positive");
    // A cached render carries its record when it was made by a single render (not a layer's).
    QString text = fromCache && result.stepsDone == 0
        ? tr("%1: %2 from the workspace cache").arg(unitText(), what)
        : tr("%1: %2 objective %3 → %4 in %5 steps")
              .arg(unitText(), what)
              .arg(result.initialObjective, 0, 'g', 4)
              .arg(result.finalObjective, 0, 'g', 4)
              .arg(result.stepsDone);
    if (fromCache && result.stepsDone > 0)
        text += tr(" (cached)");
    if (!result.warning.empty())
        text += QStringLiteral(" — ") + QString::fromStdString(result.warning);
    (negative ? negativeCaption_ : positiveCaption_) = text;
    caption_->setText(positiveCaption_ + QLatin1Char('\n') + negativeCaption_);
    refreshImages();
}

void NeuronPanel::showFailure(const QString& message)
{
    setStatus(message);
}

void NeuronPanel::startLayer(const QString& layer, int channels)
{
    layerGridLayer_ = layer;
    layerTiles_ = QVector<QImage>(channels);
    QImage blank(8, 8, QImage::Format_RGB888);
    blank.fill(QColor(90, 90, 90));
    for (auto& tile : layerTiles_)
        tile = blank;
    QStringList tips;
    for (int c = 0; c < channels; ++c)
        tips << QStringLiteral("%1:%2").arg(layer).arg(c);
    layerGrid_->setTiles(layerTiles_, {}, tips);
}

void NeuronPanel::showLayerChannel(int channel, const RgbImage& image)
{
    if (channel < 0 || channel >= layerTiles_.size())
        return;
    layerTiles_[channel] = toQImage(image);
    QStringList tips;
    for (int c = 0; c < layerTiles_.size(); ++c)
        tips << QStringLiteral("%1:%2").arg(layerGridLayer_).arg(c);
    layerGrid_->setTiles(layerTiles_, {}, tips);
    layerGrid_->setSelectedChannel(layer_ == layerGridLayer_ ? channel_ : -1);
}

void NeuronPanel::refreshImages()
{
    const auto show = [](QLabel* view, const QImage& image, const QString& empty) {
        if (image.isNull()) {
            view->setPixmap(QPixmap());
            view->setText(empty);
        } else {
            view->setPixmap(QPixmap::fromImage(
                image.scaled(kViewSize, kViewSize, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
        }
    };
    show(positiveView_, positive_, tr("—"));
    show(negativeView_, negative_, tr("—"));
}

QString NeuronPanel::exportName() const
{
    return QStringLiteral("featurevis-") +
        unitText()
            .replace(QLatin1Char(':'), QLatin1Char('_'))
            .replace(QLatin1Char('.'), QLatin1Char('_'));
}

namespace {
constexpr int kExportTile = 48;  // a rendered layer's channels in the exported figure
constexpr int kExportGap = 2;
}  // namespace

int NeuronPanel::exportGridColumns() const
{
    return std::max(1, (2 * kViewSize + 24 - 16) / (kExportTile + kExportGap));
}

QSize NeuronPanel::exportSize() const
{
    int height = kViewSize + 16 + 200;
    if (!layerTiles_.isEmpty()) {  // the layer render, below the plot
        const int rows = (int(layerTiles_.size()) + exportGridColumns() - 1) / exportGridColumns();
        height += 20 + rows * (kExportTile + kExportGap) + 8;
    }
    return QSize(2 * kViewSize + 24, height);
}

void NeuronPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    painter.setPen(Qt::black);
    painter.drawText(QRect(8, 0, kViewSize, 14), Qt::AlignLeft, tr("%1 — excites").arg(unitText()));
    painter.drawText(QRect(16 + kViewSize, 0, kViewSize, 14), Qt::AlignLeft, tr("inhibits"));
    if (!positive_.isNull())
        painter.drawImage(QRect(8, 16, kViewSize, kViewSize), positive_);
    if (!negative_.isNull())
        painter.drawImage(QRect(16 + kViewSize, 16, kViewSize, kViewSize), negative_);
    paintPlot(painter, plot_, QRect(0, kViewSize + 24, size.width(), 190));
    if (layerTiles_.isEmpty())
        return;
    const int top = kViewSize + 16 + 200;
    painter.setPen(Qt::black);
    painter.drawText(QRect(8, top, size.width() - 16, 16), Qt::AlignLeft,
        tr("%1: every channel (%2)").arg(layerGridLayer_).arg(layerTiles_.size()));
    const int columns = exportGridColumns();
    for (int c = 0; c < layerTiles_.size(); ++c)
        painter.drawImage(
            QRect(8 + (c % columns) * (kExportTile + kExportGap),
                top + 20 + (c / columns) * (kExportTile + kExportGap), kExportTile, kExportTile),
            layerTiles_[c]);
}

QJsonObject NeuronPanel::exportParameters() const
{
    const FeatureVisConfig c = config(false);
    QJsonObject p;
    p[QStringLiteral("unit")] = unitText();
    QString objective =
        objectiveEdit_->text().trimmed();  // what was rendered, as the user wrote it
    if (objective.isEmpty())
        objective = channel_ >= 0 ? QStringLiteral("channel:") + unitText() : QString();
    p[QStringLiteral("objective")] = objective;
    if (!layerTiles_.isEmpty()) {
        p[QStringLiteral("layer_render")] = layerGridLayer_;
        p[QStringLiteral("layer_render_channels")] = int(layerTiles_.size());
    }
    p[QStringLiteral("parameterization")] = parameterization_->currentText();
    p[QStringLiteral("decorrelated_colour")] = c.decorrelateColour;
    p[QStringLiteral("size")] = c.size;
    p[QStringLiteral("steps")] = c.steps;
    p[QStringLiteral("learning_rate")] = double(c.learningRate);
    p[QStringLiteral("seed")] = qint64(c.seed);
    p[QStringLiteral("transforms")] = QStringLiteral("jitter %1 px, scale ±%2, rotate ±%3°")
                                          .arg(double(c.jitterPixels))
                                          .arg(double(c.scaleRange))
                                          .arg(double(c.rotateDegrees));
    p[QStringLiteral("pre_relu")] = c.preRelu;
    p[QStringLiteral("cache_key")] = QString::fromStdString(c.cacheKey());
    return p;
}

}  // namespace loupe::widgets
