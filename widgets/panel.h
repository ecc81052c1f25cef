#pragma once

#include "widgets/figure_export.h"

#include <QWidget>

class QToolBar;
class QLabel;

namespace loupe::widgets {

class UnitSelection;

// What a panel is handed by the app: the shared selection and the figure context. Panels get
// nothing else (no main window, no model): narrow interfaces keep them independent.
struct PanelServices {
    UnitSelection* selection = nullptr;
    const FigureContext* figureContext = nullptr;
};

// Base of the dockable views: a tool bar with Export…, a status line, and the body below.
class Panel : public QWidget, public Exportable {
    Q_OBJECT
public:
    Panel(const PanelServices& services, QWidget* parent = nullptr);

    void setStatus(const QString& text);  // "computing…", an error, or empty
    QString status() const;

    // Whether the user can see the panel: its dock's tab is in front (QDockWidget's
    // visibilityChanged, which the window forwards to setShown), or, outside a dock, whether it
    // is visible; shownChanged says when that changes. Views that compute only what is looked
    // at (the unit page) follow it.
    bool isShown() const { return docked_ ? shown_ : isVisible(); }
    void setShown(bool shown);

    // "<dock title> — <unit> — <model>": the dock says what the figure is; panels that know
    // better (a method's human name, a class by name) override it.
    QString exportTitle(const FigureContext& context) const override;

public slots:
    void exportWithDialog();

signals:
    void shownChanged(bool shown);

protected:
    QToolBar* toolBar() const { return toolBar_; }
    void setBody(QWidget* body);
    UnitSelection* selection() const { return services_.selection; }
    void contextMenuEvent(QContextMenuEvent* event) override;
    // Outside a dock (tests, a floating panel of its own) showing is being shown.
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    PanelServices services_;
    bool docked_ = false;
    bool shown_ = false;
    QToolBar* toolBar_ = nullptr;
    QLabel* status_ = nullptr;
};

}  // namespace loupe::widgets
