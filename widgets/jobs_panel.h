#pragma once

#include <QHash>
#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;
class QProgressBar;
class QPushButton;

namespace loupe::widgets {

// Running and finished jobs with progress bars and Cancel buttons. Knows nothing about how
// jobs run: the app feeds it ids, progress and outcomes, and listens for cancel requests.
class JobsPanel : public QWidget {
    Q_OBJECT
public:
    explicit JobsPanel(QWidget* parent = nullptr);

    void addJob(int id, const QString& name);
    void updateJob(int id, double fraction, const QString& text);
    // state: 0 done, 1 failed, 2 cancelled
    void finishJob(int id, const QString& outcome, int state);
    int runningCount() const;
    QString jobText(int id) const;

signals:
    void cancelRequested(int id);

private:
    struct Row {
        QTreeWidgetItem* item = nullptr;
        QProgressBar* bar = nullptr;
        QPushButton* cancel = nullptr;
        bool running = true;
    };
    QTreeWidget* list_;
    QHash<int, Row> rows_;
};

} // namespace loupe::widgets
