#include "app/job_runner.h"

#include "core/device.h"
#include "core/error.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QThread>

#include <atomic>
#include <mutex>
#include <thread>

namespace loupe::app {

JobRunner::JobRunner(QObject* parent) : QObject(parent)
{
    device_.pool.setMaxThreadCount(1);
    // LibTorch already uses every core inside one op, so CPU-side jobs (decoding, plotting
    // data) get a small pool rather than one thread per core.
    cpu_.pool.setMaxThreadCount(qMax(2, QThread::idealThreadCount() / 2));
    device_.pool.setExpiryTimeout(-1);
}

JobRunner::~JobRunner()
{
    cancelAll();
    device_.pool.waitForDone();
    cpu_.pool.waitForDone();
}

void JobContext::post(std::function<void()> onGuiThread) const
{
    QPointer<QObject> receiver = receiver_;
    if (!receiver)
        return;
    QMetaObject::invokeMethod(
        receiver.data(),
        [receiver, f = std::move(onGuiThread)] {
            if (receiver)
                f();
        },
        Qt::QueuedConnection);
}

// A pre-emptible job's view of its queue: where it ranks, and the one thread it runs on (a job
// may report progress from helper threads; only its own thread may run another job).
struct JobRunner::Yielding {
    Queue* queue = nullptr;
    int id = 0;
    Rank rank;
    const Progress* progress = nullptr;
    std::atomic<std::thread::id> thread{};
    bool yielding = false;  // touched only by `thread`
};

int JobRunner::submitErased(const Options& options, QObject* receiver,
    std::function<void(JobContext&)> work, Handlers handlers)
{
    if (!options.supersede.isEmpty())
        for (auto it = jobs_.begin(); it != jobs_.end(); ++it)
            if (it->supersedeKey == options.supersede)
                it->progress->cancel();

    const int id = nextId_++;
    QPointer<JobRunner> self(this);
    // Progress is reported from the worker at most ~20 times a second (a job may report
    // every step) and always delivered on the GUI thread.
    auto throttle = std::make_shared<std::pair<std::mutex, QElapsedTimer>>();
    throttle->second.start();
    Queue& queue = options.pool == Pool::Device ? device_ : cpu_;
    auto yielding = std::make_shared<Yielding>();
    yielding->queue = &queue;
    yielding->id = id;
    const bool preemptible = options.preemption == Preemption::AtSteps;
    auto progress = std::make_shared<Progress>(
        [self, id, throttle, yielding, preemptible](double fraction, const std::string& text) {
            // A step boundary: let newer or more urgent work through before going on.
            if (preemptible && self && std::this_thread::get_id() == yielding->thread.load() &&
                !yielding->yielding && !yielding->progress->isCancelled())
                self->yieldTo(*yielding);
            {
                std::lock_guard<std::mutex> lock(throttle->first);
                if (fraction < 1.0 && throttle->second.elapsed() < 50)
                    return;
                throttle->second.restart();
            }
            const QString message = QString::fromStdString(text);
            QMetaObject::invokeMethod(
                self,
                [self, id, fraction, message] {
                    if (self)
                        emit self->jobProgress(id, fraction, message);
                },
                Qt::QueuedConnection);
        });
    yielding->progress = progress.get();
    jobs_.insert(id, Job{progress, options.supersede, options.pool});
    emit jobAdded(id, options.name);

    QPointer<QObject> target(receiver);
    auto task = [self, id, progress, yielding, target, work = std::move(work),
                    handlers = std::move(handlers)]() mutable {
        yielding->thread.store(std::this_thread::get_id());
        QMetaObject::invokeMethod(
            self,
            [self, id] {
                if (self)
                    emit self->jobStateChanged(id, JobState::Running);
            },
            Qt::QueuedConnection);
        JobState outcome = JobState::Done;
        QString error;
        try {
            progress->checkCancelled();
            JobContext job(*progress, target);
            work(job);
            if (progress->isCancelled())
                outcome = JobState::Cancelled;
        } catch (const Cancelled&) {
            outcome = JobState::Cancelled;
        } catch (const std::exception& e) {
            outcome = JobState::Failed;
            error = QString::fromStdString(firstLine(e.what()));
        } catch (...) {
            outcome = JobState::Failed;
            error = QStringLiteral("unknown error");
        }
        QMetaObject::invokeMethod(
            self,
            [self, id, target, outcome, error, handlers = std::move(handlers)]() mutable {
                if (!self)
                    return;
                if (target) {
                    if (outcome == JobState::Done && handlers.done)
                        handlers.done();
                    else if (outcome == JobState::Failed && handlers.failed)
                        handlers.failed(error);
                    else if (outcome == JobState::Cancelled && handlers.cancelled)
                        handlers.cancelled();
                }
                const QString text = outcome == JobState::Done ? tr("done")
                    : outcome == JobState::Cancelled           ? tr("cancelled")
                                                               : error;
                emit self->jobFinished(id, text, outcome);
                self->finish(id);
            },
            Qt::QueuedConnection);
    };
    enqueue(queue, id, int(options.priority), std::move(task), &yielding->rank);
    return id;
}

void JobRunner::enqueue(Queue& queue, int id, int priority, std::function<void()> task, Rank* rank)
{
    {
        // The rank is written under the lock the task is later taken under, so the worker that
        // runs it reads it safely.
        std::lock_guard<std::mutex> lock(queue.mutex);
        *rank = Rank{priority, queue.sequence++};
        queue.waiting.emplace(*rank, Waiting{id, std::move(task)});
    }
    // One start per task: whichever thread runs it takes the best task waiting at that moment
    // (a task already run inside a pre-emptible job leaves nothing for its start).
    queue.pool.start([&queue] {
        if (auto next = takeWaiting(queue, [](Rank) { return true; }))
            next();
    });
}

std::function<void()> JobRunner::takeWaiting(Queue& queue, const std::function<bool(Rank)>& wanted)
{
    std::lock_guard<std::mutex> lock(queue.mutex);
    for (auto it = queue.waiting.begin(); it != queue.waiting.end(); ++it) {
        if (!wanted(it->first))
            continue;
        std::function<void()> task = std::move(it->second.task);
        queue.waiting.erase(it);
        return task;
    }
    return {};
}

void JobRunner::yieldTo(Yielding& yielding)
{
    const Rank own = yielding.rank;
    const auto newerOrMoreUrgent = [own](Rank waiting) {
        return waiting.rank > own.rank ||
            (waiting.rank == own.rank && waiting.sequence > own.sequence);
    };
    bool paused = false;
    yielding.yielding = true;
    while (auto next = takeWaiting(*yielding.queue, newerOrMoreUrgent)) {
        if (!paused) {
            paused = true;
            QMetaObject::invokeMethod(
                this, [this, id = yielding.id] { emit jobStateChanged(id, JobState::Paused); },
                Qt::QueuedConnection);
        }
        runWithDefaultAutogradState(next);
    }
    yielding.yielding = false;
    if (paused)
        QMetaObject::invokeMethod(
            this, [this, id = yielding.id] { emit jobStateChanged(id, JobState::Running); },
            Qt::QueuedConnection);
}

bool JobRunner::runNext(int id)
{
    const auto job = jobs_.constFind(id);
    if (job == jobs_.constEnd())
        return false;
    Queue& queue = job->pool == Pool::Device ? device_ : cpu_;
    std::lock_guard<std::mutex> lock(queue.mutex);
    for (auto it = queue.waiting.begin(); it != queue.waiting.end(); ++it) {
        if (it->second.id != id)
            continue;
        Waiting waiting = std::move(it->second);
        queue.waiting.erase(it);
        // Ahead of everything, including earlier "run next" requests.
        queue.waiting.emplace(Rank{kRunNextRank, --queue.frontSequence}, std::move(waiting));
        return true;
    }
    return false;
}

void JobRunner::finish(int id)
{
    jobs_.remove(id);
    if (jobs_.isEmpty())
        emit idle();
}

void JobRunner::cancel(int id)
{
    if (auto it = jobs_.find(id); it != jobs_.end())
        it->progress->cancel();
}

void JobRunner::cancelAll()
{
    for (auto& job : jobs_)
        job.progress->cancel();
}

bool JobRunner::waitForIdle(int milliseconds)
{
    return device_.pool.waitForDone(milliseconds) && cpu_.pool.waitForDone(milliseconds);
}

}  // namespace loupe::app
