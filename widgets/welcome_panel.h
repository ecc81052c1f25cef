#pragma once

#include <QStringList>
#include <QWidget>

class QLabel;
class QListWidget;
class QProgressBar;

namespace loupe::widgets {

// What the window shows while no model is open (a first launch, or after a model failed to
// open): open a model, the built-in model (with its training progress when it is being
// trained), recent files, and where the guide is — instead of two dozen empty docks.
class WelcomePanel : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePanel(QWidget* parent = nullptr);

    void setRecentModels(const QStringList& paths);
    // fraction < 0 hides the progress (not training).
    void setTrainingProgress(double fraction, const QString& text);
    void setMessage(const QString& text);  // "Opening …", an error
    int recentCount() const;
    bool trainingShown() const;

signals:
    void openModelRequested();
    void builtinModelRequested();
    void recentModelRequested(const QString& path);
    void guideRequested();

private:
    QLabel* message_;
    QProgressBar* training_;
    QLabel* trainingText_;
    QListWidget* recent_;
};

}  // namespace loupe::widgets
