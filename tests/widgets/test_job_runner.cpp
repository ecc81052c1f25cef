#include "app/job_runner.h"
#include "core/error.h"

#include <QSignalSpy>
#include <QtTest>

#include <thread>

using namespace loupe;
using namespace loupe::app;

Q_DECLARE_METATYPE(loupe::widgets::JobState)

class TestJobRunner : public QObject {
    Q_OBJECT

    // Keeps the one device thread busy until `release`, so that jobs submitted meanwhile wait.
    void occupyDevice(JobRunner& runner, std::atomic<bool>& release)
    {
        runner.submit(
            {"busy"}, this,
            [&release](JobContext&) {
                while (!release)
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
            },
            [] {});
    }

private slots:
    void initTestCase() { qRegisterMetaType<widgets::JobState>(); }

    void typedResultAndProgressArriveOnGuiThread()
    {
        JobRunner runner;
        QSignalSpy progress(&runner, &JobRunner::jobProgress);
        QSignalSpy finished(&runner, &JobRunner::jobFinished);
        QSignalSpy states(&runner, &JobRunner::jobStateChanged);
        int result = 0;
        QThread* resultThread = nullptr;
        runner.submit(
            {"sum", JobRunner::Pool::Cpu}, this,
            [](JobContext& job) {
                int sum = 0;
                for (int i = 1; i <= 10; ++i) {
                    sum += i;
                    std::this_thread::sleep_for(std::chrono::milliseconds(30));
                    job.progress.report(i / 10.0, "step " + std::to_string(i));
                }
                return sum;
            },
            [&](int r) {
                result = r;
                resultThread = QThread::currentThread();
            });
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(result, 55);
        QCOMPARE(resultThread, QThread::currentThread());
        QVERIFY(progress.count() >= 2);
        QCOMPARE(progress.last().at(1).toDouble(), 1.0);
        QCOMPARE(finished.first().at(2).value<widgets::JobState>(), widgets::JobState::Done);
        QCOMPARE(states.count(), 1);
        QCOMPARE(states.first().at(1).value<widgets::JobState>(), widgets::JobState::Running);
    }

    // Partial results go through the job's own guard: delivered in order on the GUI thread,
    // before the final result.
    void partialResultsArriveBeforeTheResult()
    {
        JobRunner runner;
        QStringList seen;
        runner.submit(
            {"partial"}, this,
            [this, &seen](JobContext& job) {
                for (int i = 0; i < 3; ++i)
                    job.post([&seen, i] { seen << QString::number(i); });
                return QStringLiteral("end");
            },
            [&](const QString& r) { seen << r; });
        QTRY_COMPARE(seen.size(), 4);
        QCOMPARE(seen, (QStringList{"0", "1", "2", "end"}));
    }

    void cancelStopsALongJob()
    {
        JobRunner runner;
        QSignalSpy finished(&runner, &JobRunner::jobFinished);
        std::atomic<int> steps{0};
        bool cancelled = false, done = false;
        const int id = runner.submit(
            {"forever"}, this,
            [&](JobContext& job) {
                for (;;) {
                    job.progress.checkCancelled();
                    ++steps;
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
            },
            [&] { done = true; }, [](const QString&) {}, [&] { cancelled = true; });
        QTRY_VERIFY(steps > 3);
        runner.cancel(id);
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(cancelled);
        QVERIFY(!done);
        QCOMPARE(finished.first().at(1).toString(), QString("cancelled"));
        QCOMPARE(finished.first().at(2).value<widgets::JobState>(), widgets::JobState::Cancelled);
        QCOMPARE(runner.runningCount(), 0);
    }

    void errorsBecomeMessagesOfTheRequester()
    {
        JobRunner runner;
        QString message;
        QSignalSpy finished(&runner, &JobRunner::jobFinished);
        runner.submit(
            {"bad", JobRunner::Pool::Cpu}, this,
            [](JobContext&) -> int { throw Error("layer 'x' does not exist"); }, [](int) {},
            [&](const QString& m) { message = m; });
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(message, QString("layer 'x' does not exist"));
        QCOMPARE(finished.first().at(2).value<widgets::JobState>(), widgets::JobState::Failed);
    }

    void newerJobSupersedesOlder()
    {
        JobRunner runner;
        QSignalSpy finished(&runner, &JobRunner::jobFinished);
        QStringList results;
        const auto slow = [](int value) {
            return [value](JobContext& job) {
                for (int i = 0; i < 40; ++i) {
                    job.progress.checkCancelled();
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
                return value;
            };
        };
        runner.submit(
            {"first", JobRunner::Pool::Device, "view"}, this, slow(1),
            [&](int r) { results << QString::number(r); }, [](const QString&) {},
            [&] { results << "c1"; });
        runner.submit({"second", JobRunner::Pool::Device, "view"}, this, slow(2),
            [&](int r) { results << QString::number(r); });
        QTRY_COMPARE(finished.count(), 2);
        QCOMPARE(results, (QStringList{"c1", "2"}));
    }

    // What the user asks for starts before queued background work on the device.
    void userJobsStartBeforeQueuedBackgroundJobs()
    {
        JobRunner runner;
        QStringList order;
        std::atomic<bool> release{false};
        occupyDevice(runner, release);
        for (int i = 0; i < 3; ++i)
            runner.submit(
                {"background", JobRunner::Pool::Device, {}, JobRunner::Priority::Background}, this,
                [](JobContext&) { return QStringLiteral("background"); },
                [&](const QString& r) { order << r; });
        runner.submit(
            {"asked", JobRunner::Pool::Device, {}, JobRunner::Priority::User}, this,
            [](JobContext&) { return QStringLiteral("user"); },
            [&](const QString& r) { order << r; });
        release = true;
        QTRY_COMPARE(order.size(), 4);
        QCOMPARE(order.first(), QString("user"));
    }

    // The scheduler's promise: with a long render running, what the user asks next starts at
    // the render's next step (on the same thread, so the model is still used by one job at a
    // time), the render shows as paused meanwhile and then finishes all its steps.
    void preemptibleJobLetsNewerWorkThroughAtItsNextStep()
    {
        JobRunner runner;
        QSignalSpy states(&runner, &JobRunner::jobStateChanged);
        constexpr int kSteps = 200;
        std::atomic<int> step{0};
        std::atomic<int> stepWhenThumbnailsStarted{-1};
        std::thread::id renderThread, thumbnailThread;
        int renderedSteps = 0;
        bool thumbnailsDone = false;
        const int render = runner.submit(
            {"render", JobRunner::Pool::Device, "render", JobRunner::Priority::User,
                JobRunner::Preemption::AtSteps},
            this,
            [&](JobContext& job) {
                renderThread = std::this_thread::get_id();
                int i = 0;
                for (; i < kSteps; ++i) {
                    job.progress.checkCancelled();
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                    step = i + 1;
                    job.progress.report(double(i + 1) / kSteps);
                }
                return i;
            },
            [&](int steps) { renderedSteps = steps; });
        QTRY_VERIFY(step >= 5);
        runner.submit(
            {"thumbnails"}, this,
            [&](JobContext&) {
                thumbnailThread = std::this_thread::get_id();
                stepWhenThumbnailsStarted = step.load();
            },
            [&] { thumbnailsDone = true; });
        // Read after submitting: however long this thread waits here, the render cannot get
        // more than one step past this value before the thumbnails start.
        const int askedAt = step;
        QTRY_VERIFY(thumbnailsDone);
        QVERIFY2(stepWhenThumbnailsStarted - askedAt <= 1,
            qPrintable(QString("asked at step %1, started at step %2")
                           .arg(askedAt)
                           .arg(stepWhenThumbnailsStarted.load())));
        QVERIFY(step < kSteps);  // the render had not finished
        QCOMPARE(thumbnailThread, renderThread);
        QTRY_COMPARE_WITH_TIMEOUT(renderedSteps, kSteps, 10000);
        QList<widgets::JobState> renderStates;
        for (const auto& s : states)
            if (s.at(0).toInt() == render)
                renderStates << s.at(1).value<widgets::JobState>();
        QCOMPARE(renderStates,
            (QList<widgets::JobState>{widgets::JobState::Running, widgets::JobState::Paused,
                widgets::JobState::Running}));
    }

    // Jobs not marked pre-emptible (a scan others read) are never interrupted.
    void ordinaryJobsAreNotInterrupted()
    {
        JobRunner runner;
        std::atomic<int> step{0};
        std::atomic<int> stepWhenOtherStarted{-1};
        runner.submit(
            {"scan"}, this,
            [&](JobContext& job) {
                for (int i = 0; i < 30; ++i) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                    step = i + 1;
                    job.progress.report(double(i + 1) / 30);
                }
            },
            [] {});
        QTRY_VERIFY(step >= 3);
        runner.submit(
            {"next"}, this, [&](JobContext&) { stepWhenOtherStarted = step.load(); }, [] {});
        QTRY_VERIFY(stepWhenOtherStarted >= 0);
        QCOMPARE(stepWhenOtherStarted.load(), 30);
    }

    // Run Next moves a waiting job ahead of the others waiting.
    void runNextMovesAWaitingJobToTheFront()
    {
        JobRunner runner;
        QStringList order;
        std::atomic<bool> release{false};
        occupyDevice(runner, release);
        QList<int> ids;
        for (const QString name : {"a", "b", "c"})
            ids << runner.submit(
                {name}, this, [name](JobContext&) { return name; },
                [&](const QString& r) { order << r; });
        QVERIFY(runner.runNext(ids[2]));
        QVERIFY(!runner.runNext(12345));
        release = true;
        QTRY_COMPARE(order.size(), 3);
        QCOMPARE(order, (QStringList{"c", "a", "b"}));
        QVERIFY(!runner.runNext(ids[2]));  // finished
    }

    void receiverGoneMeansNoCallback()
    {
        JobRunner runner;
        QSignalSpy finished(&runner, &JobRunner::jobFinished);
        bool called = false, posted = false;
        auto* receiver = new QObject;
        runner.submit(
            {"late", JobRunner::Pool::Cpu}, receiver,
            [&posted](JobContext& job) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                job.post([&posted] { posted = true; });
                return 1;
            },
            [&](int) { called = true; });
        delete receiver;
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(!called);
        QVERIFY(!posted);
    }
};

QTEST_MAIN(TestJobRunner)
#include "test_job_runner.moc"
