#pragma once

#include <QString>

class QWidget;

namespace loupe::app {

class ModelSession;
class Shell;

// The dialog for an error the user has to see. A damaged workspace gets an offer to start a
// new one: the session moves the damaged file aside (kept) and opens a fresh workspace; the
// shell reports where the old one went, or why it could not be done.
void showErrorDialog(QWidget* parent, const QString& title, const QString& message,
    ModelSession* session, Shell* shell);

}  // namespace loupe::app
