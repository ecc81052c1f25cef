#pragma once

#include <QList>
#include <QString>
#include <QStringList>

class QDockWidget;

namespace loupe::app {

// An IDE-style mode: the docks one task needs, the rest hidden (View > Task Presets). The first
// dock named of each tab group is raised. The layer browser, jobs and image stay.
struct TaskPreset {
    QString name;  // "unit"
    QString title;  // "Explore a Unit"
    QStringList docks;  // short dock names, e.g. "unitpage"
};
const QList<TaskPreset>& taskPresets();

// Shows the preset's docks and hides the others; false for an unknown preset name.
bool applyTaskPreset(const QString& name, const QList<QDockWidget*>& moduleDocks);

}  // namespace loupe::app
