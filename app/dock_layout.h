#pragma once

#include <QList>

#include <vector>

class QDockWidget;
class QMainWindow;

namespace loupe::app {

class FeatureModule;

// Adds every module's docks to the right of the window in two tab groups, in the modules'
// order: what the current image does (activations, dictionary, attribution…) in the middle,
// what one unit is (neuron, examples, tuning…) and what a layer or dataset holds on the right.
// The first dock of each group is returned first (for sizing); all of them are returned.
struct ModuleDocks {
    QList<QDockWidget*> all;
    QDockWidget* firstImageDock = nullptr;
    QDockWidget* firstUnitDock = nullptr;
};
ModuleDocks addModuleDocks(QMainWindow& window, const std::vector<FeatureModule*>& modules);

// Dock tab bars show whole titles and scroll instead of eliding them ("De…", "St…" say
// nothing); applied now and whenever a dock moves (QMainWindow makes new tab bars then).
void showWholeTabTitles(QMainWindow& window, const QList<QDockWidget*>& docks);

}  // namespace loupe::app
