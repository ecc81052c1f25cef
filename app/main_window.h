#pragma once

#include "app/app_context.h"
#include "widgets/figure_export.h"

#include <QMainWindow>

#include <vector>

class QLabel;
class QMenu;
class QDockWidget;
class QScrollArea;
class QStackedWidget;
class QUndoStack;

namespace loupe::widgets {
class ImagePanel;
class JobsPanel;
class LayerBrowser;
class UnitSelection;
class WelcomePanel;
}  // namespace loupe::widgets

namespace loupe::app {

class FeatureModule;
class JobRunner;
class ModelSession;
class RecentFilesMenus;
class SavedRecords;
class Settings;
class ThumbnailService;

// The shell: the image, the layer browser, the jobs, the menus and the status bar; every
// capability is a FeatureModule whose docks and menu entries the window adds in a loop.
// Opens models and images; computes nothing.
class MainWindow : public QMainWindow, public Shell {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    void openModel(const QString& path);
    // Opens Loupe's built-in model, training it first (a job) when it does not exist yet.
    void openBuiltinModel();
    void trainBuiltinModel();
    static QString builtinModelFile();
    void openImage(const QImage& image, const QString& name);
    void resetLayout();
    // A typed unit ("layer:channel") or a loupe:// link: selects it (opening the link's model
    // from the recent files when another one is open) and raises the Unit Page. False with an
    // error shown when it leads nowhere.
    bool goToUnit(const QString& text);
    // View > Task Presets: "unit", "image", "dataset", "experiments"; false for another name.
    bool applyPreset(const QString& name);
    // The welcome page instead of the docks: while no model is open (first launch, training
    // the built-in model, a model that failed to open).
    void showWelcome(bool shown);
    bool welcomeShown() const { return welcomeShown_; }
    widgets::WelcomePanel* welcomePanel() const { return welcome_; }
    QStringList dockNames() const;  // the short names
    // The dock's figure (as its Export… writes it) to `path`; the error, or empty.
    QString exportDock(const QString& name, const QString& path);
    // Scripted runs (--screenshot) never open modal dialogs; errors go to the status bar and
    // stderr.
    void setScripted(bool scripted) { scripted_ = scripted; }

    // Shell
    void showError(const QString& title, const QString& message) override;
    void showStatus(const QString& message, int milliseconds = 8000) override;
    bool raiseDock(const QString& name) override;
    bool openImage(const QString& path) override;
    QString lastDirectory() const override;

    template <typename Module> Module* module() const
    {
        for (FeatureModule* m : modules_)
            if (auto* found = qobject_cast<Module*>(m))
                return found;
        return nullptr;
    }
    ModelSession* session() const { return session_; }
    JobRunner* jobs() const { return runner_; }
    SavedRecords* records() const { return records_; }
    widgets::UnitSelection* selection() const { return selection_; }
    widgets::ImagePanel* imagePanel() const { return image_; }
    widgets::LayerBrowser* layerBrowser() const { return layerBrowser_; }
    widgets::JobsPanel* jobsPanel() const { return jobsPanel_; }
    QUndoStack* undoStack() const { return undoStack_; }

signals:
    void modelReady();
    void modelFailed(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QDockWidget* addDock(
        QWidget* body, const QString& title, const QString& objectName, Qt::DockWidgetArea area);
    void buildModules();
    void buildDocks();
    void buildMenus();
    void connectSession();
    void chooseModel();
    void chooseImage();
    void pasteImage();
    void askForUnit();
    void updateStatus();
    void fitToScreen();  // shrinks the window to the available screen area when larger
    void widenLayerBrowser();  // to show every column, on opening a model
    QDockWidget* findDock(const QString& name) const;  // object name, short name or title

    Settings* settings_;
    JobRunner* runner_;
    QUndoStack* undoStack_;
    ModelSession* session_;
    widgets::UnitSelection* selection_;
    widgets::FigureContext figureContext_;
    SavedRecords* records_;
    ThumbnailService* thumbnails_;
    std::vector<FeatureModule*> modules_;
    bool showStrongestUnit_ = false;  // select the sample image's most active unit once
    QString pendingUnit_;  // a link whose model is opening: selected once it is ready
    QStackedWidget* centre_ = nullptr;  // the image, or the welcome page
    widgets::WelcomePanel* welcome_ = nullptr;
    QScrollArea* welcomeScroll_ = nullptr;
    bool welcomeShown_ = false;
    QByteArray welcomeState_;  // the docks as they were before the welcome page hid them
    int trainingJob_ = -1;
    widgets::LayerBrowser* layerBrowser_ = nullptr;
    widgets::ImagePanel* image_ = nullptr;
    widgets::JobsPanel* jobsPanel_ = nullptr;
    QList<QDockWidget*> docks_;
    QList<QDockWidget*> moduleDocks_;  // docks_ less the layer browser and the jobs
    RecentFilesMenus* recent_ = nullptr;
    QLabel* deviceLabel_ = nullptr;
    QLabel* memoryLabel_ = nullptr;
    QLabel* modelLabel_ = nullptr;
    QByteArray defaultState_;
    bool scripted_ = false;
};

}  // namespace loupe::app
