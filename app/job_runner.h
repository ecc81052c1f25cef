#pragma once

#include "core/progress.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <any>
#include <functional>
#include <memory>

namespace loupe::app {

// The one way work leaves the GUI thread. A job is a plain function taking a Progress (report
// + cancellation); it runs on a pool, and its result or error comes back on the GUI thread to
// a receiver object (dropped if the receiver is gone). Device work is serialised on a
// one-thread pool, because a model is used by one job at a time; CPU work has its own pool.
class JobRunner : public QObject {
    Q_OBJECT
public:
    enum class Pool { Device, Cpu };
    using Work = std::function<std::any(Progress&)>;
    struct Callbacks {
        std::function<void(std::any)> done;
        std::function<void(const QString&)> failed;
        std::function<void()> cancelled;
    };

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    // `supersede`: a non-empty key cancels earlier jobs with the same key (e.g. the user
    // clicked another layer before the last one finished).
    int submit(const QString& name, Pool pool, Work work, QObject* receiver, Callbacks callbacks,
               const QString& supersede = {});
    void cancel(int id);
    void cancelAll();
    int runningCount() const { return int(jobs_.size()); }
    // For tests and shutdown: waits for the pools (does not process events).
    bool waitForIdle(int milliseconds);

signals:
    void jobAdded(int id, const QString& name);
    void jobProgress(int id, double fraction, const QString& text);
    void jobFinished(int id, const QString& outcome, int state);  // 0 done, 1 failed, 2 cancelled
    void idle();

private:
    struct Job {
        std::shared_ptr<Progress> progress;
        QString supersedeKey;
    };
    void finish(int id);

    QThreadPool devicePool_;
    QThreadPool cpuPool_;
    QHash<int, Job> jobs_;
    int nextId_ = 1;
};

} // namespace loupe::app
