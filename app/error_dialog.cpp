#include "app/error_dialog.h"

#include "app/app_context.h"
#include "app/model_session.h"

#include <QMessageBox>
#include <QPushButton>

namespace loupe::app {

void showErrorDialog(QWidget* parent, const QString& title, const QString& message,
    ModelSession* session, Shell* shell)
{
    if (!message.contains(QLatin1String("is damaged")) || !session->hasModel()) {
        QMessageBox::warning(parent, title, message);
        return;
    }
    QMessageBox box(QMessageBox::Warning, title, message, QMessageBox::Close, parent);
    QPushButton* fresh =
        box.addButton(QObject::tr("Start a New Workspace"), QMessageBox::AcceptRole);
    box.exec();
    if (box.clickedButton() != fresh)
        return;
    session->startNewWorkspace(
        [shell](const QString& movedTo) {
            shell->showStatus(
                QObject::tr("A new workspace is in use; the damaged one was moved to %1")
                    .arg(movedTo),
                15000);
        },
        [shell](
            const QString& failure) { shell->showError(QObject::tr("New workspace"), failure); });
}

}  // namespace loupe::app
