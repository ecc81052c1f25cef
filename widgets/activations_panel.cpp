#include "widgets/activations_panel.h"
#include "widgets/colour_bar.h"

#include "core/activation_grid.h"
#include "widgets/channel_bar_chart.h"
#include "widgets/channel_grid.h"
#include "widgets/qt_image.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <QJsonArray>
#include <QLabel>
#include <QPainter>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QToolBar>

#include <algorithm>

namespace loupe::widgets {
namespace {
constexpr int kExportColumns = 16;
constexpr int kExportPlotHeight = 220;
constexpr int kExportScaleBarHeight = 40;
}  // namespace

ActivationsPanel::ActivationsPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), grid_(new ChannelGrid), chart_(new ChannelBarChart)
{
    sharedScale_ = toolBar()->addAction(tr("Shared scale"));
    sharedScale_->setCheckable(true);
    sharedScale_->setToolTip(tr("On: one colour scale for all channels (comparable). Off: each "
                                "channel stretched to its own range."));
    preRelu_ = toolBar()->addAction(tr("Pre-ReLU"));
    preRelu_->setCheckable(true);
    preRelu_->setToolTip(
        tr("Show values before the layer's final ReLU (through concatenated branches)"));
    toolBar()->addWidget(new QLabel(tr("  Tile ")));
    tileSize_ = spinBox(16, 256, 56, {}, tr(" px"));
    toolBar()->addWidget(tileSize_);

    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(grid_);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(scroll);
    splitter->addWidget(chart_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({500, 200});
    setBody(splitter);

    connect(sharedScale_, &QAction::toggled, this, [this](bool on) {
        rebuildTiles();
        emit sharedScaleChanged(on);
    });
    connect(preRelu_, &QAction::toggled, this, &ActivationsPanel::preReluChanged);
    connect(tileSize_, &QSpinBox::valueChanged, grid_, &ChannelGrid::setTileSize);
    const auto select = [this](int channel) {
        if (!activations_.layer.empty())
            selection()->selectUnit(QString::fromStdString(activations_.layer), channel);
    };
    connect(grid_, &ChannelGrid::channelClicked, this, select);
    connect(chart_, &ChannelBarChart::channelClicked, this, select);
    connect(selection(), &UnitSelection::unitChanged, this, &ActivationsPanel::showSelection);
}

bool ActivationsPanel::sharedScale() const
{
    return sharedScale_->isChecked();
}
void ActivationsPanel::setSharedScale(bool shared)
{
    sharedScale_->setChecked(shared);
}
bool ActivationsPanel::preRelu() const
{
    return preRelu_->isChecked();
}

void ActivationsPanel::setActivations(const LayerActivations& activations)
{
    activations_ = activations;
    setStatus(
        tr("%1 — %2 channels, %3×%4%5%6")
            .arg(QString::fromStdString(activations.layer))
            .arg(activations.channels)
            .arg(activations.height)
            .arg(activations.width)
            .arg(activations.preRelu ? tr(", pre-ReLU") : QString())
            .arg(activations.deadCount() ? tr(", %1 dead (all zero)").arg(activations.deadCount())
                                         : QString()));
    rebuildTiles();
    QVector<double> mean(activations.channels), max(activations.channels);
    QVector<bool> dead(activations.channels);
    for (int c = 0; c < activations.channels; ++c) {
        mean[c] = activations.channelMean[size_t(c)];
        max[c] = activations.channelMax[size_t(c)];
        dead[c] = activations.dead[size_t(c)];
    }
    chart_->setValues(mean, max, dead);
    showSelection(selection()->layer(), selection()->channel());
}

void ActivationsPanel::clearActivations(const QString& message)
{
    activations_ = LayerActivations();
    grid_->setTiles({}, {}, {});
    chart_->setValues({}, {}, {});
    setStatus(message);
}

void ActivationsPanel::rebuildTiles()
{
    QVector<QImage> tiles;
    QVector<bool> dead;
    QStringList tips;
    const auto images = channelTiles(activations_, sharedScale());
    for (int c = 0; c < int(images.size()); ++c) {
        tiles << toQImage(images[size_t(c)]);
        dead << bool(activations_.dead[size_t(c)]);
        tips << tr("%1:%2\nmean %3, max %4%5")
                    .arg(QString::fromStdString(activations_.layer))
                    .arg(c)
                    .arg(activations_.channelMean[size_t(c)], 0, 'g', 4)
                    .arg(activations_.channelMax[size_t(c)], 0, 'g', 4)
                    .arg(activations_.dead[size_t(c)] ? tr("\ndead: zero everywhere") : QString());
    }
    grid_->setTiles(tiles, dead, tips);
}

void ActivationsPanel::showSelection(const QString& layer, int channel)
{
    const bool mine = layer == QString::fromStdString(activations_.layer);
    grid_->setSelectedChannel(mine ? channel : -1);
    if (mine && channel >= 0 && channel < grid_->tileCount())
        if (auto* scroll = qobject_cast<QScrollArea*>(
                grid_->parentWidget() ? grid_->parentWidget()->parentWidget() : nullptr))
            scroll->ensureVisible(grid_->tileRect(channel).center().x(),
                grid_->tileRect(channel).center().y(), 10, grid_->tileRect(channel).height());
    chart_->setSelectedChannel(mine ? channel : -1);
}

QString ActivationsPanel::exportName() const
{
    return QStringLiteral("activations-") +
        QString::fromStdString(activations_.layer).replace(QLatin1Char('.'), QLatin1Char('_'));
}

QSize ActivationsPanel::exportSize() const
{
    const QSize grid = grid_->gridSize(kExportColumns);
    return QSize(
        qMax(grid.width(), 480), grid.height() + kExportScaleBarHeight + kExportPlotHeight);
}

void ActivationsPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    grid_->paintGrid(painter, kExportColumns);
    int top = grid_->gridSize(kExportColumns).height();
    // The tiles' colour scale: one for all channels when shared, else each tile's own range.
    if (!activations_.values.empty()) {
        const auto [lo, hi] =
            std::minmax_element(activations_.values.begin(), activations_.values.end());
        const QString what =
            activations_.preRelu ? tr("activation before the ReLU") : tr("activation");
        const QString label = sharedScale()
            ? tr("%1 (the layer's output units), one scale for every channel").arg(what)
            : tr("%1, each tile from its own minimum to its own maximum (here the layer's range)")
                  .arg(what);
        paintScaleBar(painter, QRect(8, top + 4, size.width() - 16, kExportScaleBarHeight - 8),
            activations_.preRelu ? *lo : std::min(*lo, 0.f), *hi,
            activations_.preRelu ? Colormap::Diverging : Colormap::Viridis, label);
        top += kExportScaleBarHeight;
    }
    chart_->paintPlot(painter, QRect(0, top, size.width(), kExportPlotHeight));
}

QJsonObject ActivationsPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("layer")] = QString::fromStdString(activations_.layer);
    p[QStringLiteral("pre_relu")] = activations_.preRelu;
    p[QStringLiteral("shared_scale")] = sharedScale();
    p[QStringLiteral("shape")] =
        QJsonArray{activations_.channels, activations_.height, activations_.width};
    p[QStringLiteral("colormap")] =
        activations_.preRelu ? QStringLiteral("diverging") : QStringLiteral("viridis");
    p[QStringLiteral("selected_channel")] = grid_->selectedChannel();
    return p;
}

}  // namespace loupe::widgets
