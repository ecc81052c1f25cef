#include "widgets/timeline_panel.h"

#include "core/colormap.h"
#include "widgets/image_row.h"
#include "widgets/plot_export.h"
#include "widgets/qt_image.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QToolBar>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace loupe::widgets {
namespace {

QString frameLabel(const TimelineFrame& f)
{
    return f.checkpoint.step >= 0 ? QObject::tr("step %1").arg(f.checkpoint.step)
                                  : QString::fromStdString(f.checkpoint.name);
}

}  // namespace

TimelinePanel::TimelinePanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), folder_(new QLineEdit), examples_(new QLineEdit),
      slider_(new QSlider(Qt::Horizontal)), caption_(new QLabel),
      row_(new ImageRow(tr("Select a unit, choose a folder of checkpoints of this architecture "
                           "(the built-in model writes eight), then Build"))),
      tuning_(new QCustomPlot), selectivity_(new QCustomPlot)
{
    folder_->setPlaceholderText(tr("folder of checkpoints (.pt, same layer names)"));
    examples_->setPlaceholderText(tr("images for top examples (optional)"));
    auto* browse = new QPushButton(tr("Checkpoints…"));
    connect(browse, &QPushButton::clicked, this, &TimelinePanel::chooseFolder);
    auto* browseImages = new QPushButton(tr("Images…"));
    connect(browseImages, &QPushButton::clicked, this, &TimelinePanel::chooseExamplesFolder);
    toolBar()->addAction(tr("Build"), this, &TimelinePanel::run);
    slider_->setEnabled(false);
    connect(slider_, &QSlider::valueChanged, this, &TimelinePanel::showFrame);

    tuning_->xAxis->setLabel(tr("curve orientation (degrees)"));
    tuning_->yAxis->setLabel(tr("response"));
    tuning_->setMinimumHeight(140);
    selectivity_->xAxis->setLabel(tr("checkpoint"));
    selectivity_->yAxis->setLabel(tr("orientation selectivity"));
    selectivity_->yAxis->setRange(0, 1);
    selectivity_->setMinimumHeight(140);

    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(4, 0, 4, 0);
    auto* folders = new QHBoxLayout;
    folders->addWidget(folder_, 2);
    folders->addWidget(browse);
    folders->addWidget(examples_, 1);
    folders->addWidget(browseImages);
    auto* scrub = new QHBoxLayout;
    scrub->addWidget(slider_, 1);
    scrub->addWidget(caption_);
    topLayout->addLayout(folders);
    topLayout->addLayout(scrub);
    auto* plots = new QSplitter(Qt::Horizontal);
    plots->addWidget(tuning_);
    plots->addWidget(selectivity_);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(row_);
    split->addWidget(plots);
    split->setSizes({200, 200});
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(top);
    layout->addWidget(split, 1);
    setBody(body);
    setStatus(tr("When did this unit form? One unit across training checkpoints."));
}

void TimelinePanel::setFolder(const QString& folder)
{
    folder_->setText(folder);
}

QString TimelinePanel::folder() const
{
    return folder_->text().trimmed();
}

void TimelinePanel::setExamplesFolder(const QString& folder)
{
    examples_->setText(folder);
}

void TimelinePanel::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Checkpoints"), folder());
    if (!dir.isEmpty())
        setFolder(dir);
}

void TimelinePanel::chooseExamplesFolder()
{
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Images for Top Examples"), examples_->text());
    if (!dir.isEmpty())
        setExamplesFolder(dir);
}

void TimelinePanel::run()
{
    if (folder().isEmpty()) {
        setStatus(tr("Choose the folder of checkpoints first (Checkpoints…)."));
        return;
    }
    emit timelineRequested(folder(), examples_->text().trimmed());
}

void TimelinePanel::startTimeline(const QString& unit, int checkpoints)
{
    unit_ = unit;
    frames_.clear();
    row_->clear();
    slider_->setEnabled(false);
    slider_->setRange(0, std::max(0, checkpoints - 1));
    caption_->clear();
    tuning_->clearGraphs();
    selectivity_->clearGraphs();
    tuning_->replot();
    selectivity_->replot();
    setStatus(
        tr("Building the timeline of %1 over %n checkpoint(s)…", nullptr, checkpoints).arg(unit));
}

void TimelinePanel::addFrame(const TimelineFrame& frame)
{
    frames_.push_back(frame);
    slider_->setEnabled(true);
    slider_->setRange(0, int(frames_.size()) - 1);
    slider_->setValue(int(frames_.size()) - 1);
    showFrame(int(frames_.size()) - 1);
    drawSelectivity();
}

void TimelinePanel::finishTimeline()
{
    setStatus(
        tr("%1 over %n checkpoint(s); drag the slider to scrub.", nullptr, int(frames_.size()))
            .arg(unit_));
}

void TimelinePanel::clearResult(const QString& message)
{
    setStatus(message);
}

int TimelinePanel::currentFrame() const
{
    return frames_.empty() ? -1 : slider_->value();
}

void TimelinePanel::setCurrentFrame(int index)
{
    slider_->setValue(index);
}

void TimelinePanel::showFrame(int index)
{
    if (index < 0 || index >= int(frames_.size()))
        return;
    const TimelineFrame& f = frames_[size_t(index)];
    QList<QImage> images{toQImage(f.featureVis), toQImage(f.filter)};
    QStringList captions{tr("feature vis"), tr("filter")};
    for (size_t e = 0; e < f.examples.size(); ++e) {
        images << toQImage(f.examples[e]);
        captions << tr("%1 (%2)")
                        .arg(QString::fromStdString(f.exampleFiles.at(e)))
                        .arg(f.exampleValues.at(e), 0, 'f', 2);
    }
    row_->setImages(images, captions);
    caption_->setText(tr("%1 of %2 · %3 · selectivity %4 · prefers %5°")
                          .arg(index + 1)
                          .arg(frames_.size())
                          .arg(frameLabel(f))
                          .arg(f.selectivity, 0, 'f', 2)
                          .arg(f.preferred, 0, 'f', 0));
    tuning_->clearGraphs();
    float highest = 1e-6f;
    for (const auto& other : frames_)
        for (float v : other.tuning)
            highest = std::max(highest, v);
    auto* graph = tuning_->addGraph();
    graph->setPen(QPen(QColor(210, 80, 40), 2));
    graph->setData(QVector<double>(f.orientations.begin(), f.orientations.end()),
        QVector<double>(f.tuning.begin(), f.tuning.end()));
    tuning_->xAxis->setRange(0, 360);
    tuning_->yAxis->setRange(0, highest * 1.05);  // one scale for every checkpoint
    tuning_->replot();
    drawSelectivity();
}

void TimelinePanel::drawSelectivity()
{
    selectivity_->clearGraphs();
    QVector<double> x, y;
    QVector<double> ticks;
    QVector<QString> labels;
    for (size_t i = 0; i < frames_.size(); ++i) {
        x << double(i);
        y << frames_[i].selectivity;
        ticks << double(i);
        labels << frameLabel(frames_[i]);
    }
    auto* line = selectivity_->addGraph();
    line->setPen(QPen(QColor(40, 90, 200), 2));
    line->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
    line->setData(x, y);
    const int current = currentFrame();
    if (current >= 0 && current < int(frames_.size())) {
        auto* marker = selectivity_->addGraph();
        marker->setLineStyle(QCPGraph::lsNone);
        marker->setScatterStyle(QCPScatterStyle(
            QCPScatterStyle::ssCircle, QPen(QColor(210, 80, 40), 2), Qt::NoBrush, 14));
        marker->setData({double(current)}, {frames_[size_t(current)].selectivity});
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>(new QCPAxisTickerText);
    ticker->addTicks(ticks, labels);
    selectivity_->xAxis->setTicker(ticker);
    selectivity_->xAxis->setTickLabelRotation(30);
    selectivity_->xAxis->setRange(-0.6, std::max(0.6, double(frames_.size()) - 0.2));
    selectivity_->yAxis->setRange(0, 1);
    selectivity_->replot();
}

QString TimelinePanel::exportName() const
{
    return QStringLiteral("timeline");
}

QSize TimelinePanel::exportSize() const
{
    return QSize(1000, 480);
}

void TimelinePanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    painter.setPen(Qt::black);
    painter.drawText(QRect(8, 4, size.width() - 16, 22), Qt::AlignLeft | Qt::AlignVCenter,
        tr("Training timeline of %1 — %2").arg(unit_, caption_->text()));
    row_->paintAll(painter, QRect(0, 28, size.width(), 200));
    paintPlot(painter, tuning_, QRect(0, 236, size.width() / 2, size.height() - 240));
    paintPlot(
        painter, selectivity_, QRect(size.width() / 2, 236, size.width() / 2, size.height() - 240));
}

QJsonObject TimelinePanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("unit")] = unit_;
    p[QStringLiteral("checkpoints_folder")] = folder();
    if (!examples_->text().isEmpty())
        p[QStringLiteral("examples_folder")] = examples_->text();
    p[QStringLiteral("checkpoints")] = int(frames_.size());
    if (currentFrame() >= 0)
        p[QStringLiteral("shown_checkpoint")] =
            QString::fromStdString(frames_[size_t(currentFrame())].checkpoint.path);
    return p;
}

QString TimelinePanel::exportData() const
{
    return QString::fromStdString(timelineCsv(frames_));
}

}  // namespace loupe::widgets
