#pragma once

#include "core/dataset_scan.h"
#include "widgets/figure_export.h"

#include <QMainWindow>

class QLabel;
class QMenu;
class QDockWidget;
class QUndoStack;

namespace loupe::widgets {
class ActivationsPanel;
class ImagePanel;
class JobsPanel;
class LayerBrowser;
class NeuronPanel;
class ExamplesPanel;
class DistributionPanel;
class DictionaryPanel;
class AttributionPanel;
class TuningPanel;
class OcclusionPanel;
class CircuitPanel;
class NmfPanel;
class AtlasPanel;
class UnitSelection;
class WeightsPanel;
} // namespace loupe::widgets

namespace loupe::app {

class JobRunner;
class ModelSession;
class Settings;

// Assembles the docks and menus and forwards between them and the session; computes nothing.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    void openModel(const QString& path);
    // Opens Loupe's built-in model, training it first (a job) when it does not exist yet.
    void openBuiltinModel();
    void trainBuiltinModel();
    static QString builtinModelFile();
    bool openImage(const QString& path);
    void openImage(const QImage& image, const QString& name);
    void resetLayout();
    // Writes the built-in dataset as a folder (once), then offers it to scan (Dataset menu).
    void scanSampleImages();
    // File > Export > Unit Sheet: the selected unit and its Tuning-dock family as one figure;
    // asks for the file unless `path` is given.
    void exportUnitSheet(const QString& path = {});
    // Shows and raises a dock by its object name ("dock.weights"); false if there is none.
    bool raiseDock(const QString& name);  // object name, short name or title
    QStringList dockNames() const;        // the short names
    // Scripted runs (--screenshot) never open modal dialogs; errors go to the status bar and
    // stderr.
    void setScripted(bool scripted) { scripted_ = scripted; }

    ModelSession* session() const { return session_; }
    JobRunner* jobs() const { return runner_; }
    widgets::UnitSelection* selection() const { return selection_; }
    widgets::LayerBrowser* layerBrowser() const { return layerBrowser_; }
    widgets::ActivationsPanel* activationsPanel() const { return activations_; }
    widgets::WeightsPanel* weightsPanel() const { return weights_; }
    widgets::ImagePanel* imagePanel() const { return image_; }
    widgets::JobsPanel* jobsPanel() const { return jobsPanel_; }
    widgets::NeuronPanel* neuronPanel() const { return neuron_; }
    widgets::ExamplesPanel* examplesPanel() const { return examples_; }
    widgets::DistributionPanel* distributionPanel() const { return distribution_; }
    widgets::DictionaryPanel* dictionaryPanel() const { return dictionary_; }
    widgets::AttributionPanel* attributionPanel() const { return attribution_; }
    widgets::TuningPanel* tuningPanel() const { return tuning_; }
    widgets::OcclusionPanel* occlusionPanel() const { return occlusion_; }
    widgets::CircuitPanel* circuitPanel() const { return circuit_; }
    widgets::NmfPanel* nmfPanel() const { return nmf_; }
    widgets::AtlasPanel* atlasPanel() const { return atlas_; }
    QUndoStack* undoStack() const { return undoStack_; }

signals:
    void modelReady();
    void modelFailed(const QString& message);  // after the user was told

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildDocks();
    void buildMenus();
    void connectSession();
    void connectTuning();
    QDockWidget* addDock(QWidget* body, const QString& title, const QString& objectName, Qt::DockWidgetArea area);
    void refreshRecentMenus();
    void refreshLayerViews();
    void updateStatus();
    void chooseModel();
    void chooseScan(const QString& folder = {});  // the dialog, with `folder` filled in
    void refreshExamples();
    void showScanAnnotations(const std::vector<LayerScanSummary>& summaries);
    void chooseImage();
    void pasteImage();
    void showError(const QString& title, const QString& message);

    Settings* settings_;
    JobRunner* runner_;
    QUndoStack* undoStack_;  // saved families and directions (per model: cleared on open)
    bool showStrongestUnit_ = false;  // select the sample image's most active unit once
    ModelSession* session_;
    widgets::UnitSelection* selection_;
    widgets::FigureContext figureContext_;
    widgets::LayerBrowser* layerBrowser_ = nullptr;
    widgets::ActivationsPanel* activations_ = nullptr;
    widgets::WeightsPanel* weights_ = nullptr;
    widgets::ImagePanel* image_ = nullptr;
    widgets::JobsPanel* jobsPanel_ = nullptr;
    widgets::NeuronPanel* neuron_ = nullptr;
    widgets::ExamplesPanel* examples_ = nullptr;
    widgets::DistributionPanel* distribution_ = nullptr;
    widgets::DictionaryPanel* dictionary_ = nullptr;
    widgets::AttributionPanel* attribution_ = nullptr;
    widgets::TuningPanel* tuning_ = nullptr;
    widgets::OcclusionPanel* occlusion_ = nullptr;
    widgets::CircuitPanel* circuit_ = nullptr;
    widgets::NmfPanel* nmf_ = nullptr;
    widgets::AtlasPanel* atlas_ = nullptr;
    QList<QDockWidget*> docks_;
    QMenu* recentModels_ = nullptr;
    QMenu* recentImages_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QLabel* deviceLabel_ = nullptr;
    QLabel* memoryLabel_ = nullptr;
    QLabel* modelLabel_ = nullptr;
    QByteArray defaultState_;
    bool scripted_ = false;
};

} // namespace loupe::app
