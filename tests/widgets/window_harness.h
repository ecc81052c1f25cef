#pragma once
// Driving a whole MainWindow in tests: wait while its jobs run, open models and images the way
// a user does. Shared by the window suites.
#include "app/job_runner.h"
#include "app/main_window.h"
#include "app/model_session.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QtTest>

#include <functional>

namespace loupe::test {

// Waits for `done` as long as the window's jobs are still at work: a busy machine only makes
// it wait longer, while a result that will not come (every job ended, a grace period for the
// queued signals passed) fails at once. The cap catches hangs only.
inline bool whileJobsRun(app::MainWindow& window, const std::function<bool()>& done)
{
    constexpr qint64 kGraceMs = 3000, kHangMs = 15 * 60 * 1000;
    QElapsedTimer total, idle;
    total.start();
    bool wasIdle = false;
    while (!done()) {
        if (total.elapsed() > kHangMs)
            return false;
        QTest::qWait(20);
        const bool isIdle = window.jobs()->runningCount() == 0;
        if (isIdle && !wasIdle)
            idle.start();
        wasIdle = isIdle;
        if (isIdle && idle.elapsed() > kGraceMs)
            return done();
    }
    return true;
}

#define WAIT_FOR(window, condition)                                                                \
    QVERIFY2(whileJobsRun(window, [&] { return bool(condition); }), #condition)
#define WAIT_FOR_COMPARE(window, actual, expected)                                                 \
    do {                                                                                           \
        whileJobsRun(window, [&] { return (actual) == (expected); });                              \
        QCOMPARE(actual, expected);                                                                \
    } while (false)

// Opens an image the way a user does (decoded on a worker) and waits for the session to have it.
inline bool openImageAndWait(app::MainWindow& window, const QString& path)
{
    QSignalSpy changed(window.session(), &app::ModelSession::imageChanged);
    return window.openImage(path) && whileJobsRun(window, [&] { return changed.count() >= 1; });
}

// Opens a model the way a user does and waits for the window to have it.
inline bool openAndWait(app::MainWindow& window, const QString& model)
{
    QSignalSpy ready(&window, &app::MainWindow::modelReady);
    window.openModel(model);
    return whileJobsRun(window, [&] { return ready.count() == 1; });
}

}  // namespace loupe::test
