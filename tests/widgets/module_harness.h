#pragma once
// What MainWindow gives every feature module, minus the window: the module suites build their
// modules on it.
#include "app/app_context.h"
#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/saved_records.h"
#include "app/thumbnail_service.h"
#include "core/image.h"
#include "widgets/figure_export.h"
#include "widgets/unit_selection.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QUndoStack>
#include <QtTest>

#include <algorithm>
#include <functional>

namespace loupe::test {

// The shell a module sees: errors and status lines are recorded, nothing is shown.
class FakeShell : public app::Shell {
public:
    QStringList errors, statuses, opened;
    void showError(const QString& title, const QString& message) override
    {
        errors << title + QStringLiteral(": ") + message;
    }
    void showStatus(const QString& message, int) override { statuses << message; }
    bool raiseDock(const QString&) override { return true; }
    bool openImage(const QString& path) override
    {
        opened << path;
        return true;
    }
    QString lastDirectory() const override { return {}; }
};

// What MainWindow gives every module, minus the window.
struct Harness {
    FakeShell shell;
    app::JobRunner jobs;
    QUndoStack undo;
    app::ModelSession session{&jobs};
    widgets::UnitSelection selection;
    widgets::FigureContext figures;
    app::SavedRecords records{&session, &jobs, &undo};
    app::ThumbnailService thumbnails{&session, &jobs};
    app::AppContext context{&session, &jobs, {&selection, &figures}, &records, &thumbnails, &shell};

    // Waits for `done` while jobs run; fails fast once they have all ended without it.
    bool wait(const std::function<bool()>& done)
    {
        QElapsedTimer idle;
        bool wasIdle = false;
        while (!done()) {
            QTest::qWait(20);
            const bool isIdle = jobs.runningCount() == 0;
            if (isIdle && !wasIdle)
                idle.start();
            wasIdle = isIdle;
            if (isIdle && idle.elapsed() > 3000)
                return done();
        }
        return true;
    }
    bool open(const QString& model, const RgbImage& image)
    {
        QSignalSpy loaded(&session, &app::ModelSession::modelLoaded);
        session.openModel(model, DevicePreference::Cpu);
        if (!wait([&] { return loaded.count() == 1; }))
            return false;
        session.setImage(image, QStringLiteral("test image"));
        return true;
    }
};

inline RgbImage barImage()
{
    RgbImage img(50, 40);
    for (int y = 5; y < 35; ++y)
        std::fill(img.pixel(20, y), img.pixel(20, y) + 3, 255);
    return img;
}

}  // namespace loupe::test
