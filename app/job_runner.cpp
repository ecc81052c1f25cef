#include "app/job_runner.h"

#include "core/error.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QThread>

#include <mutex>

namespace loupe::app {

JobRunner::JobRunner(QObject* parent) : QObject(parent)
{
    devicePool_.setMaxThreadCount(1);
    // LibTorch already uses every core inside one op, so CPU-side jobs (decoding, plotting
    // data) get a small pool rather than one thread per core.
    cpuPool_.setMaxThreadCount(qMax(2, QThread::idealThreadCount() / 2));
    devicePool_.setExpiryTimeout(-1);
}

JobRunner::~JobRunner()
{
    cancelAll();
    devicePool_.waitForDone();
    cpuPool_.waitForDone();
}

int JobRunner::submit(const QString& name, Pool pool, Work work, QObject* receiver, Callbacks callbacks,
                      const QString& supersede)
{
    if (!supersede.isEmpty())
        for (auto it = jobs_.begin(); it != jobs_.end(); ++it)
            if (it->supersedeKey == supersede)
                it->progress->cancel();

    const int id = nextId_++;
    QPointer<JobRunner> self(this);
    // Progress is reported from the worker at most ~20 times a second (a job may report
    // every step) and always delivered on the GUI thread.
    auto throttle = std::make_shared<std::pair<std::mutex, QElapsedTimer>>();
    throttle->second.start();
    auto progress = std::make_shared<Progress>([self, id, throttle](double fraction, const std::string& text) {
        {
            std::lock_guard<std::mutex> lock(throttle->first);
            if (fraction < 1.0 && throttle->second.elapsed() < 50)
                return;
            throttle->second.restart();
        }
        const QString message = QString::fromStdString(text);
        QMetaObject::invokeMethod(
            self, [self, id, fraction, message] { if (self) emit self->jobProgress(id, fraction, message); }, Qt::QueuedConnection);
    });
    jobs_.insert(id, Job{progress, supersede});
    emit jobAdded(id, name);

    QPointer<QObject> target(receiver);
    auto task = [self, id, progress, target, work = std::move(work), callbacks = std::move(callbacks)]() {
        enum class Outcome { Done, Failed, Cancelled } outcome = Outcome::Done;
        std::any result;
        QString error;
        try {
            progress->checkCancelled();
            result = work(*progress);
            if (progress->isCancelled())
                outcome = Outcome::Cancelled;
        } catch (const Cancelled&) {
            outcome = Outcome::Cancelled;
        } catch (const std::exception& e) {
            outcome = Outcome::Failed;
            error = QString::fromStdString(firstLine(e.what()));
        } catch (...) {
            outcome = Outcome::Failed;
            error = QStringLiteral("unknown error");
        }
        QMetaObject::invokeMethod(
            self,
            [self, id, target, outcome, result = std::move(result), error, callbacks]() mutable {
                if (!self)
                    return;
                if (target) {
                    if (outcome == Outcome::Done && callbacks.done)
                        callbacks.done(std::move(result));
                    else if (outcome == Outcome::Failed && callbacks.failed)
                        callbacks.failed(error);
                    else if (outcome == Outcome::Cancelled && callbacks.cancelled)
                        callbacks.cancelled();
                }
                const QString text = outcome == Outcome::Done ? tr("done") : outcome == Outcome::Cancelled ? tr("cancelled") : error;
                emit self->jobFinished(id, text, outcome == Outcome::Done ? 0 : outcome == Outcome::Failed ? 1 : 2);
                self->finish(id);
            },
            Qt::QueuedConnection);
    };
    (pool == Pool::Device ? devicePool_ : cpuPool_).start(std::move(task));
    return id;
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
    return devicePool_.waitForDone(milliseconds) && cpuPool_.waitForDone(milliseconds);
}

} // namespace loupe::app
