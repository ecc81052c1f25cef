#pragma once

#include "core/progress.h"
#include "widgets/job_state.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace loupe::app {

using widgets::JobState;

// What a running job sees: its progress (report + cancellation) and a way to hand partial
// results to the GUI thread. post() runs `onGuiThread` there while the job's receiver is
// alive (a closed panel gets nothing); no call site builds its own invokeMethod + QPointer.
class JobContext {
public:
    JobContext(Progress& progress, QPointer<QObject> receiver)
        : progress(progress), receiver_(std::move(receiver))
    {
    }
    Progress& progress;
    void post(std::function<void()> onGuiThread) const;

private:
    QPointer<QObject> receiver_;
};

// The one way work leaves the GUI thread. A job is a plain function of a JobContext; it runs
// on a pool, and its typed result or its error comes back on the GUI thread to the receiver
// that asked (dropped if the receiver is gone), so failures land where they belong. Device
// work is serialised on a one-thread pool, because a model is used by one job at a time;
// CPU work has its own pool. Queued jobs start in priority order: what the user just asked for
// before automatic background work.
//
// Pre-emption: a job submitted with Preemption::AtSteps (renders of hundreds of steps) lets newer
// work through at its step boundaries. Each time it reports progress, any waiting job of its
// pool that ranks higher, or ranks the same and came later, runs right there on the same
// thread (so the model is still used by one job at a time) while the render shows as paused;
// then the render goes on where it stopped. Jobs whose results others read (scans) are not
// marked, so nothing can run in the middle of them.
class JobRunner : public QObject {
    Q_OBJECT
public:
    enum class Pool { Device, Cpu };
    enum class Priority { Background = 0, User = 1 };
    enum class Preemption { No, AtSteps };
    struct Options {
        Options(QString name, Pool pool = Pool::Device, QString supersede = {},
            Priority priority = Priority::User, Preemption preemption = Preemption::No)
            : name(std::move(name)), pool(pool), supersede(std::move(supersede)),
              priority(priority), preemption(preemption)
        {
        }
        QString name;
        Pool pool;
        // A non-empty key cancels earlier jobs with the same key (e.g. the user clicked
        // another layer before the last one finished).
        QString supersede;
        Priority priority;
        Preemption preemption;
    };

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    // work(JobContext&) -> T runs on the pool; done(T) (done() for void), failed(message) or
    // cancelled() run on the GUI thread, if `receiver` still exists. Returns the job's id.
    template <typename Work, typename Done, typename Failed = std::function<void(const QString&)>>
    int submit(const Options& options, QObject* receiver, Work work, Done done, Failed failed = {},
        std::function<void()> cancelled = {})
    {
        using T = std::invoke_result_t<Work&, JobContext&>;
        if constexpr (std::is_void_v<T>) {
            return submitErased(options, receiver,
                std::function<void(JobContext&)>(std::move(work)),
                Handlers{std::function<void()>(std::move(done)),
                    std::function<void(const QString&)>(std::move(failed)), std::move(cancelled)});
        } else {
            auto slot = std::make_shared<std::optional<T>>();
            return submitErased(
                options, receiver,
                [slot, work = std::move(work)](
                    JobContext& job) mutable { slot->emplace(work(job)); },
                Handlers{[slot, done = std::move(done)]() mutable {
                             if (*slot)
                                 done(std::move(**slot));
                         },
                    std::function<void(const QString&)>(std::move(failed)), std::move(cancelled)});
        }
    }

    void cancel(int id);
    void cancelAll();
    // Moves a queued job ahead of every other waiting job; a pre-emptible job running now lets
    // it through at its next step. False when the job is not waiting (running or finished).
    bool runNext(int id);
    int runningCount() const { return int(jobs_.size()); }  // queued or running
    // For tests and shutdown: waits for the pools (does not process events).
    bool waitForIdle(int milliseconds);

signals:
    void jobAdded(int id, const QString& name);
    // Running when it starts, Paused while it lets a newer job through, Running again after.
    void jobStateChanged(int id, loupe::widgets::JobState state);
    void jobProgress(int id, double fraction, const QString& text);
    void jobFinished(int id, const QString& outcome,
        loupe::widgets::JobState state);  // Done, Failed or Cancelled
    void idle();

private:
    struct Handlers {
        std::function<void()> done;
        std::function<void(const QString&)> failed;
        std::function<void()> cancelled;
    };
    struct Job {
        std::shared_ptr<Progress> progress;
        QString supersedeKey;
        Pool pool = Pool::Device;
    };
    int submitErased(const Options& options, QObject* receiver,
        std::function<void(JobContext&)> work, Handlers handlers);
    void finish(int id);

    // Each pool runs the best waiting task when a thread frees up: higher rank first, then in
    // the order submitted (QThreadPool's own priorities do not keep that order). The rank is
    // the priority, raised above every priority by runNext().
    struct Rank {
        int rank = 0;
        qint64 sequence = 0;
        bool operator<(const Rank& other) const
        {
            return rank != other.rank ? rank > other.rank : sequence < other.sequence;
        }
    };
    struct Waiting {
        int id = 0;
        std::function<void()> task;
    };
    struct Queue {
        QThreadPool pool;
        std::mutex mutex;
        std::map<Rank, Waiting> waiting;
        qint64 sequence = 0;
        qint64 frontSequence = 0;  // runNext() counts down from here
    };
    struct Yielding;  // what a pre-emptible job needs to let others through
    void enqueue(Queue& queue, int id, int priority, std::function<void()> task, Rank* rank);
    static std::function<void()> takeWaiting(Queue& queue, const std::function<bool(Rank)>& wanted);
    void yieldTo(Yielding& yielding);
    static constexpr int kRunNextRank = 2;  // above Priority::User

    Queue device_;
    Queue cpu_;
    QHash<int, Job> jobs_;
    int nextId_ = 1;
};

}  // namespace loupe::app
