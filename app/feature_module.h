#pragma once

#include "app/app_context.h"

#include <QList>
#include <QObject>

class QMenu;

namespace loupe::app {

// Where a module's dock goes by default: the tab group of what one unit is (right), or of
// what the current image does (middle, beside the activations).
enum class DockGroup { Unit, Image };

struct ModuleDock {
    widgets::Panel* panel = nullptr;
    QString title;  // "Dataset Examples"
    QString name;  // "examples": object name dock.examples (saved layouts use it)
    DockGroup group = DockGroup::Unit;
    QString exportLabel;  // File > Export entry, "Dataset Examples…"
};

// One capability of the app (Tiled's Editor, a Qt Creator plugin): it owns its panels and
// docks, its menu entries, its requests, its results and its errors. The window iterates the
// modules; it knows none of them by name. See docs/ARCHITECTURE.md.
class FeatureModule : public QObject {
    Q_OBJECT
public:
    FeatureModule(const AppContext& context, QObject* parent) : QObject(parent), context_(context)
    {
    }

    virtual QList<ModuleDock> docks() const = 0;
    // Entries of the shared menus; most modules add none.
    virtual void addMenuEntries(QMenu* exportMenu, QMenu* datasetMenu)
    {
        Q_UNUSED(exportMenu);
        Q_UNUSED(datasetMenu);
    }

protected:
    const AppContext& context() const { return context_; }

private:
    AppContext context_;
};

}  // namespace loupe::app
