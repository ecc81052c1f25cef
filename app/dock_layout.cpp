#include "app/dock_layout.h"

#include "app/feature_module.h"
#include "widgets/panel.h"

#include <QDockWidget>
#include <QMainWindow>
#include <QPointer>
#include <QTabBar>
#include <QTimer>

namespace loupe::app {

ModuleDocks addModuleDocks(QMainWindow& window, const std::vector<FeatureModule*>& modules)
{
    std::vector<ModuleDock> groups[2];
    for (FeatureModule* module : modules)
        for (const ModuleDock& d : module->docks())
            groups[d.group == DockGroup::Image ? 0 : 1].push_back(d);
    ModuleDocks out;
    const auto add = [&](const ModuleDock& d) {
        auto* dock = new QDockWidget(d.title, &window);
        dock->setObjectName(QStringLiteral("dock.") + d.name);  // saveState needs it
        dock->setWidget(d.panel);
        // A tab behind another is not hidden as a widget: the dock says when it is in front.
        QObject::connect(dock, &QDockWidget::visibilityChanged, d.panel, &widgets::Panel::setShown);
        window.addDockWidget(Qt::RightDockWidgetArea, dock);
        out.all << dock;
        return dock;
    };
    // The first of each group side by side before either is tabbed (a tabbed dock cannot be
    // split); then each dock joins its tab group as soon as it is added: added all first, they
    // leave stacked placeholders that make the window taller than the screen.
    QDockWidget* first[2] = {nullptr, nullptr};
    for (int g = 0; g < 2; ++g)
        if (!groups[g].empty())
            first[g] = add(groups[g].front());
    if (first[0] && first[1])
        window.splitDockWidget(first[0], first[1], Qt::Horizontal);
    for (int g = 0; g < 2; ++g) {
        QDockWidget* last = first[g];
        for (size_t i = 1; i < groups[g].size(); ++i) {
            QDockWidget* dock = add(groups[g][i]);
            window.tabifyDockWidget(last, dock);
            last = dock;
        }
        if (first[g])
            first[g]->raise();
    }
    out.firstImageDock = first[0];
    out.firstUnitDock = first[1];
    return out;
}

namespace {

void unelideTabBars(QMainWindow& window)
{
    for (QTabBar* bar : window.findChildren<QTabBar*>(QString(), Qt::FindDirectChildrenOnly)) {
        bar->setElideMode(Qt::ElideNone);
        bar->setUsesScrollButtons(true);
    }
}

}  // namespace

void showWholeTabTitles(QMainWindow& window, const QList<QDockWidget*>& docks)
{
    unelideTabBars(window);
    QPointer<QMainWindow> guarded(&window);
    for (QDockWidget* dock : docks)
        QObject::connect(dock, &QDockWidget::dockLocationChanged, &window, [guarded] {
            QTimer::singleShot(0, guarded, [guarded] {
                if (guarded)
                    unelideTabBars(*guarded);
            });
        });
}

}  // namespace loupe::app
