#pragma once

#include "core/training_timeline.h"
#include "widgets/panel.h"

class QLabel;
class QLineEdit;
class QSlider;
class QCustomPlot;

namespace loupe::widgets {

class ImageRow;

// Training timeline: the selected unit across a folder of checkpoints of one architecture —
// scrub the slider to see its feature visualization, filter, top examples and curve tuning at
// each, and its orientation selectivity over training ("when did this curve detector form?").
class TimelinePanel : public Panel {
    Q_OBJECT
public:
    TimelinePanel(const PanelServices& services, QWidget* parent = nullptr);

    void setFolder(const QString& folder);
    QString folder() const;
    void setExamplesFolder(const QString& folder);

    void startTimeline(const QString& unit, int checkpoints);
    void addFrame(const TimelineFrame& frame);  // in training order, as each is ready
    void finishTimeline();
    void clearResult(const QString& message);
    int frames() const { return int(frames_.size()); }
    int currentFrame() const;
    void setCurrentFrame(int index);

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesImage() const override { return false; }  // a unit's, not the photo's
    QString exportData() const override;

public slots:
    void run();

signals:
    void timelineRequested(const QString& folder, const QString& examplesFolder);

private:
    void showFrame(int index);
    void chooseFolder();
    void chooseExamplesFolder();
    void drawSelectivity();

    QLineEdit* folder_;
    QLineEdit* examples_;
    QSlider* slider_;
    QLabel* caption_;
    ImageRow* row_;
    QCustomPlot* tuning_;
    QCustomPlot* selectivity_;
    QString unit_;
    std::vector<TimelineFrame> frames_;
};

}  // namespace loupe::widgets
