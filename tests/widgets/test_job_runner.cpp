#include "app/job_runner.h"
#include "core/error.h"

#include <QSignalSpy>
#include <QtTest>

#include <thread>

using namespace loupe;
using namespace loupe::app;

class TestJobRunner : public QObject {
    Q_OBJECT
private slots:
    void resultAndProgressArriveOnGuiThread()
    {
        JobRunner runner;
        QSignalSpy progress(&runner, &JobRunner::jobProgress);
        QSignalSpy finished(&runner, &JobRunner::jobFinished);
        int result = 0;
        QThread* resultThread = nullptr;
        runner.submit("sum", JobRunner::Pool::Cpu,
                      [](Progress& p) -> std::any {
                          int sum = 0;
                          for (int i = 1; i <= 10; ++i) {
                              sum += i;
                              std::this_thread::sleep_for(std::chrono::milliseconds(30));
                              p.report(i / 10.0, "step " + std::to_string(i));
                          }
                          return sum;
                      },
                      this, {[&](std::any r) { result = std::any_cast<int>(r); resultThread = QThread::currentThread(); }, {}, {}});
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(result, 55);
        QCOMPARE(resultThread, QThread::currentThread());
        QVERIFY(progress.count() >= 2);
        QCOMPARE(progress.last().at(1).toDouble(), 1.0);
        QCOMPARE(finished.first().at(2).toInt(), 0);
    }

    void cancelStopsALongJob()
    {
        JobRunner runner;
        QSignalSpy finished(&runner, &JobRunner::jobFinished);
        std::atomic<int> steps{0};
        bool cancelled = false, done = false;
        const int id = runner.submit("forever", JobRunner::Pool::Device,
                                     [&](Progress& p) -> std::any {
                                         for (;;) {
                                             p.checkCancelled();
                                             ++steps;
                                             std::this_thread::sleep_for(std::chrono::milliseconds(5));
                                         }
                                     },
                                     this, {[&](std::any) { done = true; }, {}, [&] { cancelled = true; }});
        QTRY_VERIFY(steps > 3);
        runner.cancel(id);
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(cancelled);
        QVERIFY(!done);
        QCOMPARE(finished.first().at(1).toString(), QString("cancelled"));
        QCOMPARE(finished.first().at(2).toInt(), 2);
        QCOMPARE(runner.runningCount(), 0);
    }

    void errorsBecomeMessages()
    {
        JobRunner runner;
        QString message;
        QSignalSpy finished(&runner, &JobRunner::jobFinished);
        runner.submit("bad", JobRunner::Pool::Cpu, [](Progress&) -> std::any { throw Error("layer 'x' does not exist"); }, this,
                      {{}, [&](const QString& m) { message = m; }, {}});
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(message, QString("layer 'x' does not exist"));
        QCOMPARE(finished.first().at(2).toInt(), 1);
    }

    void newerJobSupersedesOlder()
    {
        JobRunner runner;
        QSignalSpy finished(&runner, &JobRunner::jobFinished);
        QStringList results;
        const auto slow = [](int value) {
            return [value](Progress& p) -> std::any {
                for (int i = 0; i < 40; ++i) {
                    p.checkCancelled();
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
                return value;
            };
        };
        runner.submit("first", JobRunner::Pool::Device, slow(1), this,
                      {[&](std::any r) { results << QString::number(std::any_cast<int>(r)); }, {}, [&] { results << "c1"; }}, "view");
        runner.submit("second", JobRunner::Pool::Device, slow(2), this,
                      {[&](std::any r) { results << QString::number(std::any_cast<int>(r)); }, {}, {}}, "view");
        QTRY_COMPARE(finished.count(), 2);
        QCOMPARE(results, (QStringList{"c1", "2"}));
    }

    void receiverGoneMeansNoCallback()
    {
        JobRunner runner;
        QSignalSpy finished(&runner, &JobRunner::jobFinished);
        bool called = false;
        auto* receiver = new QObject;
        runner.submit("late", JobRunner::Pool::Cpu,
                      [](Progress&) -> std::any {
                          std::this_thread::sleep_for(std::chrono::milliseconds(100));
                          return 1;
                      },
                      receiver, {[&](std::any) { called = true; }, {}, {}});
        delete receiver;
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(!called);
    }
};

QTEST_MAIN(TestJobRunner)
#include "test_job_runner.moc"
