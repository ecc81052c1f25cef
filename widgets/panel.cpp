#include "widgets/panel.h"

#include <QContextMenuEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QToolBar>
#include <QVBoxLayout>

namespace loupe::widgets {

Panel::Panel(const PanelServices& services, QWidget* parent) : QWidget(parent), services_(services)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);
    toolBar_ = new QToolBar(this);
    toolBar_->setIconSize(QSize(16, 16));
    toolBar_->setToolButtonStyle(Qt::ToolButtonTextOnly);
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    status_->setVisible(false);
    layout->addWidget(toolBar_);
    layout->addWidget(status_);
    QAction* exportAction = toolBar_->addAction(tr("Export…"), this, &Panel::exportWithDialog);
    exportAction->setToolTip(tr("Export this view as PNG, SVG or PDF with a JSON sidecar"));
    toolBar_->addSeparator();
}

void Panel::setBody(QWidget* body)
{
    static_cast<QVBoxLayout*>(layout())->addWidget(body, 1);
}

void Panel::setStatus(const QString& text)
{
    status_->setText(text);
    status_->setVisible(!text.isEmpty());
}

QString Panel::status() const
{
    return status_->text();
}

void Panel::exportWithDialog()
{
    static const FigureContext empty;
    runExportDialog(this, *this, services_.figureContext ? *services_.figureContext : empty);
}

void Panel::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu menu(this);
    menu.addAction(tr("Export…"), this, &Panel::exportWithDialog);
    menu.exec(event->globalPos());
}

void Panel::setShown(bool shown)
{
    docked_ = true;
    if (shown == shown_)
        return;
    shown_ = shown;
    emit shownChanged(shown);
}

void Panel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!docked_)
        emit shownChanged(true);
}

void Panel::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    if (!docked_)
        emit shownChanged(false);
}

QString Panel::exportTitle(const FigureContext& context) const
{
    QStringList parts;
    for (const QWidget* w = parentWidget(); w; w = w->parentWidget())
        if (const auto* dock = qobject_cast<const QDockWidget*>(w)) {
            parts << dock->windowTitle();
            break;
        }
    if (exportUsesUnit() && !context.unit.isEmpty())
        parts << context.unit;
    if (exportUsesImage() && !context.imagePath.isEmpty())
        parts << QFileInfo(context.imagePath).fileName();
    const QString model =
        !context.modelName.isEmpty() ? context.modelName : QFileInfo(context.modelPath).fileName();
    if (!model.isEmpty())
        parts << model;
    return parts.join(QStringLiteral(" — "));
}

}  // namespace loupe::widgets
