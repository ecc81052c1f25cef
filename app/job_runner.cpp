#include "app/job_runner.h"

#include "core/error.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QThread>

#include <mutex>

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
    auto progress =
        std::make_shared<Progress>([self, id, throttle](double fraction, const std::string& text) {
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
    jobs_.insert(id, Job{progress, options.supersede});
    emit jobAdded(id, options.name);

    QPointer<QObject> target(receiver);
    auto task = [self, id, progress, target, work = std::move(work),
                    handlers = std::move(handlers)]() mutable {
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
    enqueue(options.pool == Pool::Device ? device_ : cpu_, int(options.priority), std::move(task));
    return id;
}

void JobRunner::enqueue(Queue& queue, int priority, std::function<void()> task)
{
    {
        std::lock_guard<std::mutex> lock(queue.mutex);
        queue.waiting.emplace(std::make_pair(-priority, queue.sequence++), std::move(task));
    }
    // One start per task: whichever thread runs it takes the best task waiting at that moment.
    queue.pool.start([&queue] {
        std::function<void()> next;
        {
            std::lock_guard<std::mutex> lock(queue.mutex);
            if (queue.waiting.empty())
                return;
            next = std::move(queue.waiting.begin()->second);
            queue.waiting.erase(queue.waiting.begin());
        }
        next();
    });
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
