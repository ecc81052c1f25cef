#include "widgets/dream_panel.h"

#include "widgets/image_row.h"
#include "widgets/plot_export.h"
#include "widgets/qt_image.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <QDoubleSpinBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QPainter>
#include <QToolBar>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace loupe::widgets {

DreamPanel::DreamPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), objective_(new QLineEdit), stepSize_(new QDoubleSpinBox),
      row_(new ImageRow(tr("Open an image, select a layer or unit (or type an objective) and "
                           "Dream"))),
      plot_(new QCustomPlot)
{
    objective_->setPlaceholderText(tr("objective, e.g. layer:inception_4c (empty: selected)"));
    objective_->setMinimumWidth(220);
    octaves_ = spinBox(1, 12, 4, tr("octaves "), {}, tr("Scales, each 1.4x the previous"));
    steps_ = spinBox(1, 500, 10, {}, tr(" steps"), tr("Gradient steps per octave"));
    stepSize_->setRange(0.001, 1.0);
    stepSize_->setDecimals(3);
    stepSize_->setSingleStep(0.005);
    stepSize_->setValue(0.02);
    stepSize_->setPrefix(tr("step "));
    stepSize_->setToolTip(tr("Step per iteration (image logits), gradient divided by its mean "
                             "magnitude"));
    jitter_ = spinBox(0, 64, 16, tr("jitter "), tr(" px"), tr("Random shift every step"));
    // The verb first: a narrow dock hides the tool bar's tail behind its » menu.
    toolBar()->addAction(tr("Dream"), this, &DreamPanel::run);
    toolBar()->addWidget(objective_);
    toolBar()->addWidget(octaves_);
    toolBar()->addWidget(steps_);
    toolBar()->addWidget(stepSize_);
    toolBar()->addWidget(jitter_);
    plot_->setMinimumHeight(120);
    plot_->xAxis->setLabel(tr("step (all octaves)"));
    plot_->yAxis->setLabel(tr("objective"));
    plot_->addGraph();
    plot_->graph(0)->setPen(QPen(QColor(200, 90, 30), 1.5));
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(row_, 3);
    layout->addWidget(plot_, 2);
    setBody(body);
    setStatus(tr("DeepDream: amplifies what the network sees in the photo (Mordvintsev et al.)."));
}

QString DreamPanel::objective() const
{
    const QString typed = objective_->text().trimmed();
    if (!typed.isEmpty())
        return typed;
    if (selection()->layer().isEmpty())
        return {};
    return selection()->channel() >= 0 ? selection()->unitText()
                                       : QStringLiteral("layer:") + selection()->layer();
}

void DreamPanel::setObjectiveText(const QString& objective)
{
    objective_->setText(objective);
}

void DreamPanel::setStepsPerOctave(int steps)
{
    steps_->setValue(steps);
}

void DreamPanel::run()
{
    const QString chosen = objective();
    if (chosen.isEmpty()) {
        setStatus(tr("Choose what to amplify: select a layer or unit, or type an objective."));
        return;
    }
    DreamConfig config;
    config.objective = chosen.toStdString();
    config.octaves = octaves_->value();
    config.stepsPerOctave = steps_->value();
    config.stepSize = float(stepSize_->value());
    config.jitterPixels = float(jitter_->value());
    emit dreamRequested(config);
}

void DreamPanel::start(const QImage& photo, const QString& objective)
{
    last_ = Dream();
    row_->setImages({photo, QImage()}, {tr("photo"), objective});
    plot_->graph(0)->data()->clear();
    plot_->replot();
    setStatus(tr("Dreaming %1…").arg(objective));
}

void DreamPanel::showProgress(const QImage& image, int step, float objective)
{
    row_->setImage(
        1, image, tr("step %1, objective %2").arg(step).arg(double(objective), 0, 'g', 4));
    plot_->graph(0)->addData(step, double(objective));
    plot_->rescaleAxes();
    plot_->replot();
}

void DreamPanel::showResult(const Dream& dream)
{
    last_ = dream;
    row_->setImages({toQImage(dream.photo), toQImage(dream.dream)},
        {tr("photo\nobjective %1").arg(double(dream.initialObjective), 0, 'g', 4),
            tr("dream\nobjective %1").arg(double(dream.finalObjective), 0, 'g', 4)});
    plot_->graph(0)->data()->clear();
    for (size_t s = 0; s < dream.objectiveHistory.size(); ++s)
        plot_->graph(0)->addData(double(s + 1), double(dream.objectiveHistory[s]));
    plot_->rescaleAxes();
    plot_->replot();
    setStatus(tr("%1 octaves (%2 px): the objective went from %3 on the photo to %4 (×%5).")
                  .arg(dream.octaveSizes.size())
                  .arg(dream.octaveSizes.empty() ? 0 : dream.octaveSizes.back())
                  .arg(double(dream.initialObjective), 0, 'g', 4)
                  .arg(double(dream.finalObjective), 0, 'g', 4)
                  .arg(dream.initialObjective != 0.f
                          ? double(dream.finalObjective / dream.initialObjective)
                          : 0.0,
                      0, 'f', 1));
}

void DreamPanel::clearResult(const QString& message)
{
    setStatus(message);
}

QString DreamPanel::exportName() const
{
    return QStringLiteral("deepdream");
}

QSize DreamPanel::exportSize() const
{
    return QSize(620, 480);
}

void DreamPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    row_->paintAll(painter, QRect(0, 0, size.width(), 330));
    paintPlot(painter, plot_, QRect(0, 340, size.width(), size.height() - 340));
}

QJsonObject DreamPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("objective")] = objective();
    p[QStringLiteral("octaves")] = octaves_->value();
    p[QStringLiteral("steps_per_octave")] = steps_->value();
    p[QStringLiteral("step_size")] = stepSize_->value();
    p[QStringLiteral("jitter_px")] = jitter_->value();
    QJsonArray sizes;
    for (int s : last_.octaveSizes)
        sizes.append(s);
    p[QStringLiteral("octave_sizes")] = sizes;
    p[QStringLiteral("initial_objective")] = double(last_.initialObjective);
    p[QStringLiteral("final_objective")] = double(last_.finalObjective);
    return p;
}

QString DreamPanel::exportData() const
{
    if (last_.objectiveHistory.empty())
        return {};
    QString csv = QStringLiteral("step,objective\n");
    for (size_t s = 0; s < last_.objectiveHistory.size(); ++s)
        csv +=
            QStringLiteral("%1,%2\n").arg(s + 1).arg(double(last_.objectiveHistory[s]), 0, 'g', 6);
    return csv;
}

}  // namespace loupe::widgets
