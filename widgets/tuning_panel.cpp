#include "widgets/tuning_panel.h"

#include "core/tuning.h"
#include "core/tuning_figures.h"
#include "widgets/plot_export.h"
#include "widgets/qt_image.h"
#include "widgets/unit_selection.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace loupe::widgets {
namespace {

constexpr int kThumb = 72;
constexpr int kThumbnails = 8;

QColor qColour(int index)
{
    const Rgb c = familyColour(index);
    return QColor(c[0], c[1], c[2]);
}

QCPColorGradient viridis()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, QColor(68, 1, 84));
    g.setColorStopAt(0.25, QColor(59, 82, 139));
    g.setColorStopAt(0.5, QColor(33, 145, 140));
    g.setColorStopAt(0.75, QColor(94, 201, 98));
    g.setColorStopAt(1.0, QColor(253, 231, 37));
    return g;
}

QString defaultSweepFor(const QString& stimulus)
{
    if (stimulus == QLatin1String("angle"))
        return QStringLiteral("orientation=0:360:5,angle=30:180:10");
    if (stimulus == QLatin1String("grating"))
        return QStringLiteral("orientation=0:360:5,wavelength=0.1:0.5:0.05");
    if (stimulus == QLatin1String("line") || stimulus == QLatin1String("edge"))
        return QStringLiteral("orientation=0:360:5");
    return QStringLiteral("orientation=0:360:5,curvature=0:4:0.25");
}

QString unitName(const QString& layer, int channel)
{
    return QStringLiteral("%1:%2").arg(layer).arg(channel);
}

QString axisLabel(const std::string& parameter)
{
    const QString name = QString::fromStdString(parameter);
    if (name == QLatin1String("orientation") || name == QLatin1String("angle") ||
        name == QLatin1String("phase"))
        return name + QStringLiteral(" (°)");
    if (name == QLatin1String("curvature"))
        return QStringLiteral("curvature (field / radius)");
    return name + QStringLiteral(" (field sizes)");
}

}  // namespace

TuningPanel::TuningPanel(const PanelServices& services, QWidget* parent) : Panel(services, parent)
{
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);

    auto* form = new QFormLayout;
    auto* top = new QHBoxLayout;
    mode_ = new QComboBox;
    mode_->addItems({tr("Stimulus sweep"), tr("Rotated dataset examples"),
        tr("Radial tuning (family)"), tr("Invariance"), tr("Find tuned units (whole layer)")});
    mode_->setToolTip(
        tr("Sweep: the unit's response to synthetic stimuli over one or two parameters (Curve "
           "Detectors fig. 15).\n"
           "Rotated examples: the unit's top dataset examples rotated 0–360° (needs a scan; fig. "
           "13).\n"
           "Radial: the family's orientation tuning around a circle (figs. 1, 19).\n"
           "Invariance: the sweep again across colour, fill and line width (fig. 15b).\n"
           "Find tuned units: sweep every channel of the layer and rank them by orientation "
           "selectivity;\n"
           "the best become the family."));
    stimulus_ = new QComboBox;
    for (const auto& name : stimulusKindNames())
        stimulus_->addItem(QString::fromStdString(name));
    run_ = new QPushButton(tr("Run"));
    top->addWidget(mode_, 2);
    top->addWidget(stimulus_, 1);
    top->addWidget(run_);
    form->addRow(tr("Experiment"), top);
    sweep_ = new QLineEdit;
    sweep_->setToolTip(tr(
        "parameter=start:stop:step for one or two of: %1.\nLengths are in receptive-field sizes; "
        "orientation 0–360 excludes the repeated 360.")
                           .arg(QString::fromStdString([] {
                               std::string all;
                               for (const auto& n : stimulusParameterNames())
                                   all += (all.empty() ? "" : ", ") + n;
                               return all;
                           }())));
    form->addRow(tr("Sweep"), sweep_);
    auto* familyRow = new QHBoxLayout;
    family_ = new QLineEdit;
    family_->setPlaceholderText(tr("other channels of this layer, e.g. 379, 385, 342"));
    families_ = new QComboBox;
    families_->addItem(tr("Saved families…"));
    auto* save = new QPushButton(tr("Save…"));
    save->setToolTip(tr("Save the unit and these channels as a named family in the workspace"));
    familyRow->addWidget(family_, 2);
    familyRow->addWidget(families_, 1);
    familyRow->addWidget(save);
    form->addRow(tr("Family"), familyRow);
    layout->addLayout(form);

    plot_ = new QCustomPlot;
    plot_->setMinimumHeight(240);
    // Families of ten units need a legend that does not hide the curves under it.
    QFont legendFont = plot_->legend->font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.8);
    plot_->legend->setFont(legendFont);
    plot_->legend->setBrush(QColor(255, 255, 255, 190));
    plot_->legend->setBorderPen(QPen(QColor(200, 200, 200)));
    plot_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    layout->addWidget(plot_, 1);
    thumbnails_ = new QLabel;
    thumbnails_->setMinimumHeight(kThumb + 18);
    thumbnails_->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    layout->addWidget(thumbnails_);
    summary_ = new QLabel;
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(summary_);
    setBody(body);

    connect(run_, &QPushButton::clicked, this, &TuningPanel::run);
    connect(sweep_, &QLineEdit::returnPressed, this, &TuningPanel::run);
    connect(
        stimulus_, &QComboBox::currentTextChanged, this, &TuningPanel::updateDefaultsForStimulus);
    connect(mode_, &QComboBox::currentIndexChanged, this, [this] {
        const bool rotation = mode() == TuningRequest::Mode::Rotation;
        const bool find = mode() == TuningRequest::Mode::FindTuned;
        family_->setEnabled(!find);
        stimulus_->setEnabled(!rotation);
        sweep_->setEnabled(!rotation);
        // A whole layer starts coarse (seconds); type a finer sweep to refine the ranking.
        if (find && stimulus_->currentText() == QLatin1String("curve"))
            sweep_->setText(QString::fromLatin1(kCoarseRankingSweep));
        else if (!find && sweep_->text() == QLatin1String(kCoarseRankingSweep))
            updateDefaultsForStimulus();
    });
    connect(save, &QPushButton::clicked, this, &TuningPanel::saveFamily);
    connect(families_, &QComboBox::activated, this, [this](int index) {
        if (index <= 0)
            return;
        const QString text = savedFamilies_.value(families_->itemText(index));
        const int colon = text.lastIndexOf(QLatin1Char(':'));
        const QStringList channels =
            text.mid(colon + 1).split(QLatin1Char(','), Qt::SkipEmptyParts);
        const QString layer = text.left(colon);
        if (!channels.isEmpty() && selection()) {
            selection()->selectUnit(layer, channels.first().toInt());
            family_->setText(channels.mid(1).join(QStringLiteral(", ")));
        }
        families_->setCurrentIndex(0);
    });
    if (selection())
        connect(selection(), &UnitSelection::unitChanged, this,
            [this](const QString& layer, int channel) {
                if (channel >= 0)
                    setStatus(tr("Run to measure %1").arg(unitName(layer, channel)));
            });
    updateDefaultsForStimulus();
    clearResults(tr("Select a unit (layer:channel) and press Run."));
}

void TuningPanel::setMode(TuningRequest::Mode mode)
{
    mode_->setCurrentIndex(int(mode));
}
TuningRequest::Mode TuningPanel::mode() const
{
    return TuningRequest::Mode(mode_->currentIndex());
}
void TuningPanel::setStimulus(const QString& kind)
{
    stimulus_->setCurrentText(kind);
}
void TuningPanel::setSweepText(const QString& sweep)
{
    sweep_->setText(sweep);
}
QString TuningPanel::sweepText() const
{
    return sweep_->text();
}
void TuningPanel::setFamilyText(const QString& channels)
{
    family_->setText(channels);
}

void TuningPanel::updateDefaultsForStimulus()
{
    sweep_->setText(defaultSweepFor(stimulus_->currentText()));
}

void TuningPanel::setFamilies(const QMap<QString, QString>& families)
{
    savedFamilies_ = families;
    families_->clear();
    families_->addItem(families.isEmpty() ? tr("No saved families") : tr("Saved families…"));
    for (auto it = families.begin(); it != families.end(); ++it)
        families_->addItem(it.key());
}

TuningRequest TuningPanel::request() const
{
    TuningRequest r;
    r.mode = mode();
    r.stimulus = stimulus_->currentText();
    r.sweep = sweep_->text().trimmed();
    if (selection()) {
        r.layer = selection()->layer();
        if (selection()->channel() >= 0)
            r.channels << selection()->channel();
    }
    static const QRegularExpression separators(QStringLiteral("[,;\\s]+"));
    for (const QString& part : family_->text().split(separators, Qt::SkipEmptyParts)) {
        bool ok = false;
        const int channel = part.toInt(&ok);
        if (ok && channel >= 0 && !r.channels.contains(channel))
            r.channels << channel;
    }
    return r;
}

void TuningPanel::run()
{
    const TuningRequest r = request();
    if (r.layer.isEmpty() || !selection() || selection()->channel() < 0) {
        setStatus(tr("Select a unit (layer:channel) first: click a channel in the activation grid "
                     "or the layer browser."));
        return;
    }
    setStatus(tr("computing…"));
    emit tuningRequested(r);
}

void TuningPanel::saveFamily()
{
    const TuningRequest r = request();
    if (r.channels.size() < 2) {
        setStatus(tr("A family needs the selected unit and at least one more channel."));
        return;
    }
    bool ok = false;
    const QString name = QInputDialog::getText(
        this, tr("Save family"), tr("Name (e.g. \"3b curves\"):"), QLineEdit::Normal, {}, &ok);
    if (ok && !name.trimmed().isEmpty())
        emit saveFamilyRequested(name.trimmed(), r.layer, r.channels);
}

// --- results ---------------------------------------------------------------------------------

void TuningPanel::resetPlot()
{
    plot_->clearPlottables();
    plot_->clearItems();
    for (int i = plot_->plotLayout()->elementCount() - 1; i >= 0; --i)
        if (auto* scale = qobject_cast<QCPColorScale*>(plot_->plotLayout()->elementAt(i)))
            plot_->plotLayout()->remove(scale);
    plot_->plotLayout()->simplify();
    for (QCPAxis* axis : {plot_->xAxis, plot_->yAxis}) {
        axis->setVisible(true);
        axis->setLabel({});
        axis->grid()->setVisible(true);
    }
    plot_->legend->setVisible(false);
    thumbnails_->clear();
    summary_->clear();
    data_.clear();
    parameters_ = {};
}

void TuningPanel::clearResults(const QString& message)
{
    resetPlot();
    title_.clear();
    plot_->replot();
    setStatus(message);
}

int TuningPanel::plottedSeries() const
{
    return plot_->plottableCount();
}

bool TuningPanel::showsHeatmap() const
{
    for (int i = 0; i < plot_->plottableCount(); ++i)
        if (qobject_cast<QCPColorMap*>(plot_->plottable(i)))
            return true;
    return false;
}

void TuningPanel::setSweep(const SweepResult& sweep, const std::vector<RgbImage>& shown)
{
    resetPlot();
    const auto& axes = sweep.config.axes;
    const QString layer = QString::fromStdString(sweep.config.target.layer);
    const QString unit = unitName(layer, sweep.config.target.channels.front());
    title_ = tr("%1: %2 sweep")
                 .arg(unit, QString::fromStdString(stimulusKindName(sweep.config.base.kind)));
    plot_->xAxis->setLabel(axisLabel(axes[0].parameter));
    if (axes.size() == 2) {
        auto* map = new QCPColorMap(plot_->xAxis, plot_->yAxis);
        const int n0 = int(axes[0].values.size()), n1 = int(axes[1].values.size());
        map->data()->setSize(n0, n1);
        map->data()->setRange(QCPRange(axes[0].values.front(), axes[0].values.back()),
            QCPRange(axes[1].values.front(), axes[1].values.back()));
        for (int i = 0; i < sweep.stimuli(); ++i)
            map->data()->setCell(i / n1, i % n1, sweep.response(i, 0));
        auto* scale = new QCPColorScale(plot_);
        plot_->plotLayout()->addElement(0, 1, scale);
        scale->setLabel(tr("activation"));
        map->setColorScale(scale);
        map->setGradient(viridis());
        map->setInterpolate(false);
        map->rescaleDataRange(true);
        auto* margins = new QCPMarginGroup(plot_);
        plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
        scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
        plot_->yAxis->setLabel(axisLabel(axes[1].parameter));
        plot_->rescaleAxes();
    } else {
        for (int c = 0; c < sweep.channels(); ++c) {
            QCPGraph* graph = plot_->addGraph();
            graph->setPen(QPen(qColour(c), c == 0 ? 2.2 : 1.4));
            graph->setName(unitName(layer, sweep.config.target.channels[size_t(c)]));
            for (int i = 0; i < sweep.stimuli(); ++i)
                graph->addData(axes[0].values[size_t(i)], sweep.response(i, c));
        }
        plot_->yAxis->setLabel(tr("activation"));
        plot_->legend->setVisible(sweep.channels() > 1);
        plot_->rescaleAxes();
    }
    plot_->replot();
    showThumbnails(sweep, shown);

    const int best = sweep.strongest(0, 1).front();
    QStringList peak;
    const auto values = sweep.parametersOf(best);
    for (size_t a = 0; a < values.size(); ++a)
        peak << QStringLiteral("%1 = %2")
                    .arg(QString::fromStdString(axes[a].parameter))
                    .arg(values[a], 0, 'g', 4);
    summary_->setText(tr(
        "%1 stimuli centred on the receptive field of %2 at (%3, %4), field %5 px. Peak %6 at %7.")
                          .arg(sweep.stimuli())
                          .arg(unit)
                          .arg(sweep.config.target.x)
                          .arg(sweep.config.target.y)
                          .arg(sweep.field.size)
                          .arg(sweep.response(best, 0), 0, 'g', 4)
                          .arg(peak.join(QStringLiteral(", "))));
    data_ = QString::fromStdString(sweepCsv(sweep));
    parameters_[QStringLiteral("experiment")] = QStringLiteral("sweep");
    parameters_[QStringLiteral("stimulus")] =
        QString::fromStdString(stimulusKindName(sweep.config.base.kind));
    QJsonArray axisTexts;
    for (const auto& axis : axes)
        axisTexts.append(QString::fromStdString(sweepAxisText(axis)));
    parameters_[QStringLiteral("axes")] = axisTexts;
    parameters_[QStringLiteral("unit")] = unit;
    parameters_[QStringLiteral("receptive_field")] = sweep.field.size;
    setStatus({});
}

void TuningPanel::showThumbnails(const SweepResult& sweep, const std::vector<RgbImage>& shown)
{
    if (shown.empty())
        return;
    const auto order = sweep.thumbnailStimuli(int(shown.size()));
    QImage strip(int(shown.size()) * (kThumb + 6), kThumb + 16, QImage::Format_RGB32);
    strip.fill(palette().color(QPalette::Window));
    QPainter painter(&strip);
    QFont font = painter.font();
    font.setPixelSize(10);
    painter.setFont(font);
    for (size_t i = 0; i < shown.size() && i < order.size(); ++i) {
        const int x = int(i) * (kThumb + 6);
        painter.drawImage(QRect(x, 0, kThumb, kThumb), toQImage(shown[i]));
        QStringList caption;
        for (double v : sweep.parametersOf(order[i]))
            caption << QString::number(v, 'g', 3);
        painter.drawText(
            QRect(x, kThumb, kThumb, 16), Qt::AlignCenter, caption.join(QStringLiteral(" · ")));
    }
    painter.end();
    thumbnails_->setPixmap(QPixmap::fromImage(strip));
    thumbnails_->setToolTip(sweep.config.axes.size() == 1
            ? tr("Stimuli along the axis, over the receptive field (parameter below)")
            : tr("The %1 shown stimuli, over the receptive field (parameters below)")
                  .arg(shown.size()));
}

void TuningPanel::setRadial(const RadialTuning& radial, const QString& layer)
{
    resetPlot();
    title_ = tr("Radial tuning of %1 units of %2").arg(radial.channels.size()).arg(layer);
    constexpr double kPi = 3.14159265358979323846;
    auto circle = [&](double r, const QPen& pen) {
        auto* curve = new QCPCurve(plot_->xAxis, plot_->yAxis);
        for (int d = 0; d <= 360; d += 5)
            curve->addData(r * std::cos(d * kPi / 180), r * std::sin(d * kPi / 180));
        curve->setPen(pen);
        curve->removeFromLegend();
    };
    for (const double r : {0.5, 1.0})
        circle(r, QPen(QColor(210, 210, 210), 1));
    for (size_t c = 0; c < radial.responses.size(); ++c) {
        const auto& response = radial.responses[c];
        const float peak = *std::max_element(response.begin(), response.end());
        auto* curve = new QCPCurve(plot_->xAxis, plot_->yAxis);
        curve->setName(QStringLiteral("%1 (peak %2°)")
                           .arg(unitName(layer, radial.channels[c]))
                           .arg(radial.preferred[c]));
        curve->setPen(QPen(qColour(int(c)), 2));
        for (size_t o = 0; o <= response.size(); ++o) {
            const size_t k = o % response.size();
            const double a = radial.orientations[k] * kPi / 180,
                         r = peak > 0 ? response[k] / peak : 0;
            curve->addData(r * std::cos(a), r * std::sin(a));
        }
    }
    for (int d = 0; d < 360; d += 90) {
        auto* label = new QCPItemText(plot_);
        label->position->setCoords(1.12 * std::cos(d * kPi / 180), 1.12 * std::sin(d * kPi / 180));
        label->setText(QStringLiteral("%1°").arg(d));
        label->setColor(Qt::gray);
    }
    for (QCPAxis* axis : {plot_->xAxis, plot_->yAxis}) {
        axis->setVisible(false);
        axis->grid()->setVisible(false);
        axis->setRange(-1.25, 1.25);
    }
    plot_->legend->setVisible(true);
    plot_->replot();
    plot_->xAxis->setScaleRatio(plot_->yAxis, 1.0);
    plot_->replot();
    summary_->setText(tr("Each unit's response to orientation (positive part, averaged over the "
                         "other swept parameter), "
                         "normalised to its own peak."));
    data_ = QString::fromStdString(radialCsv(radial));
    parameters_[QStringLiteral("experiment")] = QStringLiteral("radial");
    parameters_[QStringLiteral("layer")] = layer;
    QJsonArray channels;
    for (int c : radial.channels)
        channels.append(c);
    parameters_[QStringLiteral("channels")] = channels;
    setStatus({});
}

void TuningPanel::setRotation(const RotationTuning& rotation, const QString& layer)
{
    resetPlot();
    const QString unit = unitName(layer, rotation.channels.front());
    title_ = tr("%1: rotated top dataset examples").arg(unit);
    for (size_t c = 0; c < rotation.channels.size(); ++c) {
        QCPGraph* graph = plot_->addGraph();
        graph->setName(unitName(layer, rotation.channels[c]));
        graph->setPen(QPen(qColour(int(c)), c == 0 ? 2.2 : 1.4));
        for (size_t a = 0; a < rotation.angles.size(); ++a)
            graph->addData(rotation.angles[a], rotation.aligned[c][a]);
    }
    QCPGraph* raw = plot_->addGraph();
    raw->setName(tr("%1, unaligned").arg(unit));
    raw->setPen(QPen(qColour(0), 1, Qt::DashLine));
    for (size_t a = 0; a < rotation.angles.size(); ++a)
        raw->addData(rotation.angles[a], rotation.mean[0][a]);
    plot_->xAxis->setLabel(tr("rotation of the example (°, counter-clockwise)"));
    plot_->yAxis->setLabel(tr("mean activation"));
    plot_->legend->setVisible(true);
    plot_->rescaleAxes();
    plot_->replot();
    summary_->setText(tr("%1 top examples of %2, rotated about the receptive-field centre; each "
                         "example's curves are shifted "
                         "so that %2 peaks at 0° before averaging.")
                          .arg(rotation.examples.size())
                          .arg(unit));
    data_ = QString::fromStdString(rotationCsv(rotation));
    parameters_[QStringLiteral("experiment")] = QStringLiteral("rotation");
    parameters_[QStringLiteral("unit")] = unit;
    QJsonArray examples;
    for (const auto& e : rotation.examples)
        examples.append(QString::fromStdString(e));
    parameters_[QStringLiteral("examples")] = examples;
    setStatus({});
}

void TuningPanel::setInvariance(const std::vector<InvarianceVariant>& variants)
{
    resetPlot();
    if (variants.empty())
        return;
    const auto& reference = variants.front().sweep;
    const QString unit = unitName(QString::fromStdString(reference.config.target.layer),
        reference.config.target.channels.front());
    title_ = tr("%1: invariance of the orientation tuning").arg(unit);
    QStringList rows;
    QString csv = QStringLiteral("variant,peak_ratio,correlation\n");
    for (size_t v = 0; v < variants.size(); ++v) {
        const RadialTuning tuning = radialTuning(variants[v].sweep);
        QCPGraph* graph = plot_->addGraph();
        graph->setName(QStringLiteral("%1 (peak ×%2, r = %3)")
                           .arg(QString::fromStdString(variants[v].name))
                           .arg(variants[v].peakRatio, 0, 'f', 2)
                           .arg(variants[v].correlation, 0, 'f', 2));
        graph->setPen(QPen(qColour(int(v)), v == 0 ? 2.4 : 1.4));
        for (size_t o = 0; o < tuning.orientations.size(); ++o)
            graph->addData(tuning.orientations[o], tuning.responses[0][o]);
        csv += QStringLiteral("%1,%2,%3\n")
                   .arg(QString::fromStdString(variants[v].name))
                   .arg(variants[v].peakRatio)
                   .arg(variants[v].correlation);
    }
    plot_->xAxis->setLabel(tr("orientation (°)"));
    plot_->yAxis->setLabel(tr("activation (positive part, mean over the other parameter)"));
    plot_->legend->setVisible(true);
    plot_->rescaleAxes();
    plot_->replot();
    summary_->setText(tr("The same sweep with the line's colour, the fill and the width changed. "
                         "Peak ratio: the variant's "
                         "peak over the reference's; r: correlation of the whole response map with "
                         "the reference's."));
    data_ = csv;
    parameters_[QStringLiteral("experiment")] = QStringLiteral("invariance");
    parameters_[QStringLiteral("unit")] = unit;
    setStatus({});
}

void TuningPanel::setRanking(
    const std::vector<TunedUnit>& units, const RadialTuning& radial, const QString& layer)
{
    if (units.empty()) {
        clearResults(tr("No unit of %1 responds to these stimuli.").arg(layer));
        return;
    }
    setRadial(radial, layer);
    title_ = tr("Most orientation-selective units of %1").arg(layer);
    QStringList lines, channels;
    for (const auto& u : units) {
        lines << tr("%1 (%2°, selectivity %3)")
                     .arg(u.channel)
                     .arg(u.preferred)
                     .arg(u.selectivity, 0, 'f', 2);
        if (!selection() || u.channel != selection()->channel())
            channels << QString::number(u.channel);
    }
    family_->setText(channels.join(QStringLiteral(", ")));
    summary_->setText(tr("Ranked by selectivity × peak: %1. They are now the family; save it, or "
                         "select one and sweep it.")
                          .arg(lines.join(QStringLiteral("; "))));
    QString csv = QStringLiteral("channel,preferred_orientation,selectivity,peak\n");
    for (const auto& u : units)
        csv += QStringLiteral("%1,%2,%3,%4\n")
                   .arg(u.channel)
                   .arg(u.preferred)
                   .arg(u.selectivity)
                   .arg(u.peak);
    data_ = csv;
    parameters_[QStringLiteral("experiment")] = QStringLiteral("find tuned units");
}

// --- export ----------------------------------------------------------------------------------

QString TuningPanel::exportName() const
{
    QString name = title_.isEmpty() ? QStringLiteral("tuning") : title_;
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]+")), QStringLiteral("_"));
    return name;
}

QSize TuningPanel::exportSize() const
{
    const bool thumbs = thumbnails_->pixmap().isNull() == false;
    return QSize(640, 30 + 420 + (thumbs ? kThumb + 24 : 0));
}

void TuningPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    QFont font = painter.font();
    font.setPixelSize(14);
    painter.setFont(font);
    painter.setPen(Qt::black);
    painter.drawText(QRect(8, 4, size.width() - 16, 24), Qt::AlignLeft | Qt::AlignVCenter, title_);
    paintPlot(painter, plot_, QRect(0, 30, size.width(), 420));
    const QPixmap strip = thumbnails_->pixmap();
    if (!strip.isNull())
        painter.drawPixmap(QPoint(8, 30 + 420 + 8), strip);
}

QJsonObject TuningPanel::exportParameters() const
{
    return parameters_;
}
QString TuningPanel::exportData() const
{
    return data_;
}

}  // namespace loupe::widgets
