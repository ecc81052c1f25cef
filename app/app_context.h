#pragma once

#include "widgets/panel.h"

#include <QString>

class QUndoStack;

namespace loupe::app {

class JobRunner;
class ModelSession;
class SavedRecords;
class ThumbnailService;

// What the window offers every module, and nothing more: no module sees another module or
// the MainWindow itself.
class Shell {
public:
    virtual ~Shell() = default;
    // Status bar always; a dialog too unless the run is scripted.
    virtual void showError(const QString& title, const QString& message) = 0;
    virtual void showStatus(const QString& message, int milliseconds = 8000) = 0;
    virtual bool raiseDock(const QString& name) = 0;  // object name, short name or title
    // As File > Open Image would: decoded on a worker; false at once when there is no such file.
    virtual bool openImage(const QString& path) = 0;
    virtual QString lastDirectory() const = 0;  // where file dialogs start
};

// What every feature module shares: the session (model, image, workspace, scan state), the
// selected unit, the job runner, the saved records (families, directions: undoable), the
// thumbnail service and the shell. Modules keep their own requests, results and errors.
struct AppContext {
    ModelSession* session = nullptr;
    JobRunner* jobs = nullptr;
    widgets::PanelServices panels;  // the selection and the figure context
    SavedRecords* records = nullptr;
    ThumbnailService* thumbnails = nullptr;
    Shell* shell = nullptr;
};

}  // namespace loupe::app
