#pragma once

#include "widgets/job_state.h"

#include <QHash>
#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;
class QProgressBar;
class QPushButton;

namespace loupe::widgets {

// Queued, running, paused and finished jobs with progress bars, Cancel buttons and, while a job
// waits, a Run Next button. Knows nothing about how jobs run: the app feeds it ids, progress
// and outcomes, and listens for cancel and run-next requests.
class JobsPanel : public QWidget {
    Q_OBJECT
public:
    explicit JobsPanel(QWidget* parent = nullptr);

    void addJob(int id, const QString& name);
    void updateJob(int id, double fraction, const QString& text);
    void setJobState(int id, JobState state);  // Running once a queued job starts, Paused, …
    // state: Done, Failed or Cancelled
    void finishJob(int id, const QString& outcome, JobState state);
    int runningCount() const;  // queued or running
    JobState jobState(int id) const;
    QString jobText(int id) const;

signals:
    void cancelRequested(int id);
    void runNextRequested(int id);

private:
    struct Row {
        QTreeWidgetItem* item = nullptr;
        QProgressBar* bar = nullptr;
        QPushButton* cancel = nullptr;
        QPushButton* runNext = nullptr;  // shown while the job waits
        bool running = true;  // queued or running
        JobState state = JobState::Queued;
    };
    QTreeWidget* list_;
    QHash<int, Row> rows_;
};

}  // namespace loupe::widgets
