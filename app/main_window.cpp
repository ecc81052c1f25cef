#include "app/main_window.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/settings.h"
#include "core/builtin_model.h"
#include "core/device.h"
#include "core/synthetic_shapes.h"
#include "core/workspace.h"
#include "core/image_io.h"
#include "widgets/activations_panel.h"
#include "widgets/image_panel.h"
#include "widgets/jobs_panel.h"
#include "widgets/layer_browser.h"
#include "widgets/neuron_panel.h"
#include "widgets/examples_panel.h"
#include "widgets/distribution_panel.h"
#include "widgets/dictionary_panel.h"
#include "widgets/attribution_panel.h"
#include "widgets/tuning_panel.h"
#include "widgets/occlusion_panel.h"
#include "widgets/circuit_panel.h"
#include "widgets/nmf_panel.h"
#include "widgets/atlas_panel.h"
#include "app/scan_dialog.h"
#include "core/sample_images.h"
#include "widgets/qt_image.h"
#include "widgets/unit_selection.h"
#include "widgets/weights_panel.h"

#include <algorithm>

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>

#include <cstdio>
#include <QMimeData>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

namespace loupe::app {
namespace {

bool looksLikeModel(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("pt") || suffix == QLatin1String("pth") || suffix == QLatin1String("torchscript");
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      settings_(new Settings),
      runner_(new JobRunner(this)),
      session_(new ModelSession(runner_, this)),
      selection_(new widgets::UnitSelection(this))
{
    undoStack_ = new QUndoStack(this);
    setWindowTitle(tr("Loupe"));
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks | QMainWindow::AllowNestedDocks);
    buildDocks();
    buildMenus();
    connectSession();

    deviceLabel_ = new QLabel(tr("Device: —"));
    memoryLabel_ = new QLabel;
    modelLabel_ = new QLabel(tr("No model: File > Open Model…"));
    statusBar()->addWidget(modelLabel_, 1);
    statusBar()->addPermanentWidget(memoryLabel_);
    statusBar()->addPermanentWidget(deviceLabel_);
    auto* memoryTimer = new QTimer(this);
    connect(memoryTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    memoryTimer->start(2000);
    updateStatus();

    resize(1640, 960);
    defaultState_ = saveState(Settings::kLayoutVersion);
    restoreGeometry(settings_->windowGeometry());
    const QByteArray state = settings_->windowState();
    if (!state.isEmpty())
        restoreState(state, Settings::kLayoutVersion);
    activations_->setSharedScale(settings_->sharedActivationScale());
}

MainWindow::~MainWindow()
{
    runner_->cancelAll();
    delete settings_;
}

QDockWidget* MainWindow::addDock(QWidget* body, const QString& title, const QString& objectName, Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);  // saveState needs it
    dock->setWidget(body);
    addDockWidget(area, dock);
    docks_ << dock;
    return dock;
}

void MainWindow::buildDocks()
{
    const widgets::PanelServices services{selection_, &figureContext_};
    image_ = new widgets::ImagePanel(services);
    setCentralWidget(image_);
    layerBrowser_ = new widgets::LayerBrowser(selection_);
    activations_ = new widgets::ActivationsPanel(services);
    weights_ = new widgets::WeightsPanel(services);
    jobsPanel_ = new widgets::JobsPanel;
    neuron_ = new widgets::NeuronPanel(services);
    examples_ = new widgets::ExamplesPanel(services);
    distribution_ = new widgets::DistributionPanel(services);
    dictionary_ = new widgets::DictionaryPanel(services);
    attribution_ = new widgets::AttributionPanel(services);
    tuning_ = new widgets::TuningPanel(services);
    occlusion_ = new widgets::OcclusionPanel(services);
    circuit_ = new widgets::CircuitPanel(services);
    nmf_ = new widgets::NmfPanel(services);
    atlas_ = new widgets::AtlasPanel(services);

    addDock(layerBrowser_, tr("Layer Browser"), QStringLiteral("dock.layers"), Qt::LeftDockWidgetArea);
    QDockWidget* act = addDock(activations_, tr("Activations"), QStringLiteral("dock.activations"), Qt::RightDockWidgetArea);
    QDockWidget* neuron = addDock(neuron_, tr("Neuron"), QStringLiteral("dock.neuron"), Qt::RightDockWidgetArea);
    splitDockWidget(act, neuron, Qt::Horizontal);
    // Right: what one unit is (Neuron, examples, distribution, tuning, circuit) and what a layer
    // or dataset holds (NMF, atlas). Middle, beside the activations: what the current image
    // does (dictionary, attribution, occlusion). Two tab groups keep the tabs readable.
    // Each dock joins its tab group as soon as it is added: added all first, they leave
    // stacked placeholders that make the window taller than the screen.
    const auto tabAfter = [this](QDockWidget* previous, QWidget* body, const QString& title, const QString& name) {
        QDockWidget* dock = addDock(body, title, name, Qt::RightDockWidgetArea);
        tabifyDockWidget(previous, dock);
        return dock;
    };
    QDockWidget* last = tabAfter(neuron, examples_, tr("Dataset Examples"), QStringLiteral("dock.examples"));
    last = tabAfter(last, distribution_, tr("Distribution"), QStringLiteral("dock.distribution"));
    last = tabAfter(last, tuning_, tr("Tuning"), QStringLiteral("dock.tuning"));
    last = tabAfter(last, circuit_, tr("Circuit"), QStringLiteral("dock.circuit"));
    last = tabAfter(last, nmf_, tr("NMF"), QStringLiteral("dock.nmf"));
    tabAfter(last, atlas_, tr("Atlas"), QStringLiteral("dock.atlas"));
    neuron->raise();
    last = tabAfter(act, weights_, tr("Weights"), QStringLiteral("dock.weights"));
    last = tabAfter(last, dictionary_, tr("Dictionary"), QStringLiteral("dock.dictionary"));
    last = tabAfter(last, attribution_, tr("Attribution"), QStringLiteral("dock.attribution"));
    tabAfter(last, occlusion_, tr("Occlusion"), QStringLiteral("dock.occlusion"));
    act->raise();
    addDock(jobsPanel_, tr("Jobs"), QStringLiteral("dock.jobs"), Qt::BottomDockWidgetArea);
    resizeDocks({docks_[0], act, neuron}, {390, 520, 480}, Qt::Horizontal);
    resizeDocks({docks_.last()}, {130}, Qt::Vertical);

    connect(runner_, &JobRunner::jobAdded, jobsPanel_, &widgets::JobsPanel::addJob);
    connect(runner_, &JobRunner::jobProgress, jobsPanel_, &widgets::JobsPanel::updateJob);
    connect(runner_, &JobRunner::jobFinished, jobsPanel_, &widgets::JobsPanel::finishJob);
    connect(jobsPanel_, &widgets::JobsPanel::cancelRequested, runner_, &JobRunner::cancel);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &Model…"), QKeySequence::Open, this, &MainWindow::chooseModel);
    recentModels_ = file->addMenu(tr("Recent Models"));
    file->addAction(tr("Open &Image…"), QKeySequence(tr("Ctrl+I")), this, &MainWindow::chooseImage);
    recentImages_ = file->addMenu(tr("Recent Images"));
    file->addAction(tr("&Paste Image"), QKeySequence::Paste, this, &MainWindow::pasteImage);
    file->addSeparator();
    QMenu* exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Activations…"), activations_, &widgets::Panel::exportWithDialog);
    exportMenu->addAction(tr("Weights…"), weights_, &widgets::Panel::exportWithDialog);
    exportMenu->addAction(tr("Feature Visualization…"), neuron_, &widgets::Panel::exportWithDialog);
    exportMenu->addAction(tr("Image and Predictions…"), image_, &widgets::Panel::exportWithDialog);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    // Saving a family or a direction can replace an earlier one of the same name: undoable.
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = undoStack_->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = undoStack_->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu* model = menuBar()->addMenu(tr("&Model"));
    model->addAction(tr("Open &Built-in Model"), this, &MainWindow::openBuiltinModel);
    model->addAction(tr("&Train Built-in Model…"), this, [this] {
        if (QMessageBox::question(this, tr("Train built-in model"),
                                  tr("Generate the shapes dataset and train Loupe's built-in CNN (about two minutes on "
                                     "two CPU cores)? The current built-in model is replaced when training succeeds.")) ==
            QMessageBox::Yes)
            trainBuiltinModel();
    });

    QMenu* dataset = menuBar()->addMenu(tr("&Dataset"));
    dataset->addAction(tr("&Scan Folder…"), this, [this] { chooseScan(); });
    dataset->addAction(tr("Scan Sample &Images (built-in shapes)…"), this, &MainWindow::scanSampleImages);
    // The Atlas dock asks for the folder and builds for the selected layer.
    dataset->addAction(tr("Build &Atlas…"), this, [this] {
        raiseDock(QStringLiteral("dock.atlas"));
        atlas_->setImageMapMode(false);
        atlas_->build();
    });
    dataset->addAction(tr("Build &Image Map…"), this, [this] {
        raiseDock(QStringLiteral("dock.atlas"));
        atlas_->setImageMapMode(true);
        atlas_->build();
    });
    exportMenu->addAction(tr("Dataset Examples…"), examples_, &widgets::Panel::exportWithDialog);
    exportMenu->addAction(tr("Distribution…"), distribution_, &widgets::Panel::exportWithDialog);
    exportMenu->addAction(tr("Semantic Dictionary…"), dictionary_, &widgets::Panel::exportWithDialog);
    exportMenu->addAction(tr("Attribution…"), attribution_, &widgets::Panel::exportWithDialog);
    exportMenu->addAction(tr("Occlusion…"), occlusion_, &widgets::Panel::exportWithDialog);
    exportMenu->addAction(tr("Circuit…"), circuit_, &widgets::Panel::exportWithDialog);
    exportMenu->addAction(tr("NMF Factors…"), nmf_, &widgets::Panel::exportWithDialog);
    exportMenu->addAction(tr("Activation Atlas…"), atlas_, &widgets::Panel::exportWithDialog);
    exportMenu->addAction(tr("Tuning…"), tuning_, &widgets::Panel::exportWithDialog);
    exportMenu->addSeparator();
    exportMenu->addAction(tr("Unit Sheet (unit + family, feature vis and examples)…"), this, [this] { exportUnitSheet(); });

    viewMenu_ = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : docks_)
        viewMenu_->addAction(dock->toggleViewAction());
    viewMenu_->addSeparator();
    viewMenu_->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);

    QMenu* settingsMenu = menuBar()->addMenu(tr("&Settings"));
    QMenu* deviceMenu = settingsMenu->addMenu(tr("Compute &Device"));
    auto* group = new QActionGroup(this);
    const QString current = settings_->devicePreference();
    const QList<QPair<QString, QString>> choices = {{QStringLiteral("auto"), tr("Automatic (CUDA when available)")},
                                                    {QStringLiteral("cpu"), tr("CPU")},
                                                    {QStringLiteral("cuda"), tr("CUDA GPU")}};
    for (const auto& [key, label] : choices) {
        QAction* a = deviceMenu->addAction(label);
        a->setCheckable(true);
        a->setChecked(key == current);
        a->setEnabled(key != QLatin1String("cuda") || cudaAvailable());
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, key = key] {
            settings_->setDevicePreference(key);
            session_->setDevice(devicePreferenceFromString(key.toStdString()));
        });
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Loupe"), this, [this] {
        QMessageBox::about(this, tr("About Loupe"),
                           tr("<b>Loupe</b> — a microscope for the neurons of convolutional networks.<br>"
                              "Open a TorchScript CNN, pick a layer, open an image."));
    });
    refreshRecentMenus();
}

void MainWindow::connectSession()
{
    connect(session_, &ModelSession::modelLoading, this, [this](const QString& path) {
        modelLabel_->setText(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    });
    connect(session_, &ModelSession::modelLoaded, this, [this] {
        settings_->addRecentModel(session_->modelPath());
        refreshRecentMenus();
        figureContext_.modelPath = session_->modelPath();
        figureContext_.modelHash = session_->modelHash();
        setWindowTitle(tr("%1 — Loupe").arg(session_->modelName()));
        modelLabel_->setText(tr("%1  ·  %2 layers  ·  hash %3")
                                 .arg(session_->modelName())
                                 .arg(session_->layers().size())
                                 .arg(session_->modelHash().left(12)));
        layerBrowser_->setLayers(session_->layers());
        undoStack_->clear();  // its saves were in the previous model's workspace
        session_->requestScanSummaries();
        session_->requestFamilies();
        occlusion_->setInputSize(session_->inputSize());
        activations_->clearActivations(session_->hasImage() ? QString() : tr("Open an image to see this layer's activations."));
        weights_->clearWeights(QString());
        // Feature visualizations at about the model's own scale, capped for CPU latency.
        neuron_->setDefaultSize(std::clamp(session_->inputSize() * 3 / 2, 64, 128));
        // Atlas icons: 64 steps keep a CPU atlas to a minute but leave them pale; a GPU affords
        // the 512 that make them vivid.
        atlas_->setIconSteps(session_->deviceIsCuda() ? 512 : 64);
        selection_->clear();
        if (!session_->hasImage() && QFileInfo(session_->modelPath()) == QFileInfo(builtinModelFile())) {
            // Something to look at straight away: a sample from the model's own dataset.
            openImage(widgets::toQImage(renderShapeSample(ShapeClass::Spiral, 3, 256)), tr("sample spiral (built-in dataset)"));
            showStrongestUnit_ = true;
        }
        selection_->selectLayer(session_->defaultLayer());
        emit modelReady();
    });
    connect(session_, &ModelSession::modelFailed, this, [this](const QString& path, const QString& message) {
        modelLabel_->setText(session_->hasModel() ? session_->modelName() : tr("No model: File > Open Model…"));
        showError(tr("Cannot open model"), tr("%1\n\n%2").arg(path, message));
        emit modelFailed(message);
    });
    connect(session_, &ModelSession::trainingFailed, this, [this](const QString& message) {
        modelLabel_->setText(session_->hasModel() ? session_->modelName() : tr("No model: File > Open Model…"));
        showError(tr("Built-in model not trained"), message);
    });
    connect(session_, &ModelSession::deviceChanged, this, [this](const QString& name) {
        deviceLabel_->setText(tr("Device: %1").arg(name));
        refreshLayerViews();
    });
    connect(session_, &ModelSession::activationsReady, this, [this](const LayerActivations& a) {
        activations_->setActivations(a);
        dictionary_->setActivations(a, session_->inputSize());
        if (!a.predictions.empty()) {
            attribution_->setTopClass(a.predictions.front().index, QString::fromStdString(a.predictions.front().label));
            occlusion_->setTopClass(a.predictions.front().index, QString::fromStdString(a.predictions.front().label));
        }
        image_->setPredictions(a.predictions);
        // First launch on the built-in model: show what its most active unit responds to, so
        // the Neuron dock has something in it before the first click.
        if (showStrongestUnit_ && selection_->channel() < 0 && !a.channelMax.empty()) {
            showStrongestUnit_ = false;
            const auto strongest = std::max_element(a.channelMax.begin(), a.channelMax.end()) - a.channelMax.begin();
            selection_->selectUnit(QString::fromStdString(a.layer), int(strongest));
        }
    });
    connect(session_, &ModelSession::activationsFailed, this, [this](const QString& layer, const QString& message) {
        activations_->clearActivations(tr("%1: %2").arg(layer, message));
    });
    connect(session_, &ModelSession::weightsReady, weights_, &widgets::WeightsPanel::setWeights);
    connect(session_, &ModelSession::weightsFailed, this, [this](const QString& layer, const QString& message) {
        weights_->clearWeights(tr("%1: %2").arg(layer, message));
    });
    connect(neuron_, &widgets::NeuronPanel::renderRequested, session_, &ModelSession::requestFeatureVis);
    connect(neuron_, &widgets::NeuronPanel::renderLayerRequested, session_, &ModelSession::requestLayerFeatureVis);
    connect(session_, &ModelSession::featureVisProgress, neuron_, &widgets::NeuronPanel::showProgress);
    connect(session_, &ModelSession::featureVisReady, neuron_, &widgets::NeuronPanel::showResult);
    connect(session_, &ModelSession::featureVisFailed, neuron_, &widgets::NeuronPanel::showFailure);
    connect(session_, &ModelSession::layerRenderStarted, neuron_, &widgets::NeuronPanel::startLayer);
    connect(session_, &ModelSession::layerChannelReady, this, [this](const QString&, int channel, const RgbImage& image) {
        neuron_->showLayerChannel(channel, image);
    });
    connect(selection_, &widgets::UnitSelection::unitChanged, this, &MainWindow::refreshExamples);
    connect(dictionary_, &widgets::DictionaryPanel::thumbnailsWanted, this, [this](const QString& layer, const QList<int>& channels) {
        session_->requestThumbnails(layer, channels, QStringLiteral("dictionary"));
    });
    connect(dictionary_, &widgets::DictionaryPanel::topExamplesWanted, session_, &ModelSession::requestTopExamples);
    connect(session_, &ModelSession::topExampleReady, this, [this](const QString& layer, int channel, const RgbImage& image) {
        dictionary_->setTopExample(layer, channel, widgets::toQImage(image));
    });
    connect(attribution_, &widgets::AttributionPanel::attributionRequested, session_, &ModelSession::requestAttribution);
    connect(session_, &ModelSession::attributionReady, attribution_, &widgets::AttributionPanel::addMap);
    connect(session_, &ModelSession::attributionFailed, attribution_, &widgets::AttributionPanel::clearMaps);
    connect(session_, &ModelSession::attributionUnavailable, attribution_, &widgets::AttributionPanel::addUnavailable);
    connectTuning();
    connect(dictionary_, &widgets::DictionaryPanel::activationGridRequested, session_, &ModelSession::requestActivationGrid);
    connect(dictionary_, &widgets::DictionaryPanel::nmfRequested, session_, &ModelSession::requestNmf);
    connect(session_, &ModelSession::figureReady, this, [this](const QString& title, const RgbImage& image, int columns, int rows) {
        dictionary_->showFigure(title, widgets::toQImage(image), columns, rows);
    });
    connect(session_, &ModelSession::thumbnailReady, this, [this](const QString& layer, int channel, const RgbImage& image) {
        const QImage shown = widgets::toQImage(image);
        dictionary_->setThumbnail(layer, channel, shown);
        circuit_->setThumbnail(layer, channel, shown);
    });
    connect(circuit_, &widgets::CircuitPanel::thumbnailsWanted, this, [this](const QString& layer, const QList<int>& channels) {
        session_->requestThumbnails(layer, channels, QStringLiteral("circuit"));
    });
    connect(examples_, &widgets::ExamplesPanel::wholeImagesChanged, this, &MainWindow::refreshExamples);
    connect(examples_, &widgets::ExamplesPanel::exampleActivated, this,
            [this](const QString& folder, const QString& path) { openImage(QDir(folder).filePath(path)); });
    connect(session_, &ModelSession::examplesReady, this, [this](const UnitExamples& e) {
        examples_->setExamples(e);
        distribution_->setDistribution(e);
    });
    connect(session_, &ModelSession::examplesFailed, this, [this](const QString& message) {
        examples_->clearExamples(message);
        distribution_->clearDistribution(message);
    });
    connect(session_, &ModelSession::scanFinished, this, [this](const QString& summary) {
        statusBar()->showMessage(summary, 10000);
        session_->requestScanSummaries();
        refreshExamples();
    });
    connect(session_, &ModelSession::scanSummariesReady, this, [this](const std::vector<LayerScanSummary>& summaries) {
        showScanAnnotations(summaries);
        refreshExamples();  // a unit selected before the summary was read
    });
    connect(session_, &ModelSession::recordSaved, this,
            [this](const RecordChange& change) { undoStack_->push(new SavedRecordCommand(session_, change)); });
    connect(session_, &ModelSession::unitSheetSaved, this,
            [this](const QString& path) { statusBar()->showMessage(tr("Unit sheet written to %1 (+ .json)").arg(path), 10000); });
    connect(session_, &ModelSession::unitSheetFailed, this, [this](const QString& message) { showError(tr("Unit sheet"), message); });
    connect(session_, &ModelSession::scanFailed, this, [this](const QString& message) { showError(tr("Scan failed"), message); });
    connect(selection_, &widgets::UnitSelection::layerChanged, this, &MainWindow::refreshLayerViews);
    connect(selection_, &widgets::UnitSelection::unitChanged, this, [this] { figureContext_.unit = selection_->unitText(); });
    connect(activations_, &widgets::ActivationsPanel::preReluChanged, this, &MainWindow::refreshLayerViews);
    connect(activations_, &widgets::ActivationsPanel::sharedScaleChanged, this,
            [this](bool shared) { settings_->setSharedActivationScale(shared); });
}

void MainWindow::refreshLayerViews()
{
    const QString layer = selection_->layer();
    if (layer.isEmpty() || !session_->hasModel())
        return;
    if (session_->hasImage()) {
        activations_->setStatus(tr("Computing %1…").arg(layer));
        session_->requestActivations(layer, activations_->preRelu());
    }
    session_->requestWeights(layer);
}

QString MainWindow::builtinModelFile()
{
    return QString::fromStdString(builtinModelPath(Workspace::defaultDataDirectory()));
}

void MainWindow::openBuiltinModel()
{
    if (QFileInfo::exists(builtinModelFile()))
        openModel(builtinModelFile());
    else
        trainBuiltinModel();
}

void MainWindow::trainBuiltinModel()
{
    modelLabel_->setText(tr("Training the built-in model (see Jobs; it opens when done)…"));
    raiseDock(QStringLiteral("dock.jobs"));
    session_->trainBuiltinModel(QString::fromStdString(builtinModelDirectory(Workspace::defaultDataDirectory())),
                                devicePreferenceFromString(settings_->devicePreference().toStdString()));
}

void MainWindow::chooseScan(const QString& folder)
{
    if (!session_->hasModel()) {
        showError(tr("No model"), tr("Open a model first: scans are per model."));
        return;
    }
    ScanDialog dialog(session_->layers(), folder.isEmpty() ? settings_->lastDirectory() : folder, this);
    // Scripted runs (tests, screenshots) take the dialog's defaults instead of asking.
    const bool accepted = qEnvironmentVariableIsSet("LOUPE_NO_DIALOGS") ? !folder.isEmpty() : dialog.exec() == QDialog::Accepted;
    if (!accepted || dialog.folder().isEmpty())
        return;
    if (dialog.layers().isEmpty()) {
        showError(tr("Nothing to scan"), tr("Choose at least one layer to index."));
        return;
    }
    settings_->setLastDirectory(dialog.folder());
    raiseDock(QStringLiteral("dock.jobs"));
    session_->scanFolder(dialog.folder(), dialog.layers());
}

// A fresh install has no images of its own to scan: the built-in model's dataset, written once
// as a folder (300 PNGs, 10 classes), makes every dataset dock explorable.
void MainWindow::scanSampleImages()
{
    const QString folder = QString::fromStdString(Workspace::defaultDataDirectory()) + QStringLiteral("/samples/shapes");
    raiseDock(QStringLiteral("dock.jobs"));
    runner_->submit(
        tr("Write sample images to %1").arg(folder), JobRunner::Pool::Cpu,
        [folder](Progress& progress) -> std::any { return writeShapeSampleFolder(folder.toStdString(), 30, 128, progress); }, this,
        {[this, folder](std::any) { chooseScan(folder); },
         [this](const QString& message) { showError(tr("Sample images"), message); },
         {}},
        QStringLiteral("sample-images"));
}

void MainWindow::exportUnitSheet(const QString& givenPath)
{
    const widgets::TuningRequest units = tuning_->request();  // the selected unit, then its family
    if (units.layer.isEmpty() || units.channels.isEmpty()) {
        showError(tr("Unit sheet"), tr("Select a unit first; its family (Tuning dock) joins it on the sheet."));
        return;
    }
    QString path = givenPath;
    if (path.isEmpty() && !qEnvironmentVariableIsSet("LOUPE_NO_DIALOGS"))
        path = QFileDialog::getSaveFileName(this, tr("Unit sheet"),
                                            QDir(settings_->lastDirectory()).filePath(QStringLiteral("sheet-%1.png").arg(units.layer)),
                                            tr("PNG image (*.png)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".png"), Qt::CaseInsensitive))
        path += QStringLiteral(".png");
    raiseDock(QStringLiteral("dock.jobs"));
    session_->requestUnitSheet(units.layer, units.channels, 8, path);
}

void MainWindow::showScanAnnotations(const std::vector<LayerScanSummary>& summaries)
{
    QHash<QString, QPair<QString, QString>> notes;
    for (const auto& s : summaries) {
        QStringList parts;
        if (s.receptiveField > 0)
            parts << tr("RF %1").arg(s.receptiveField);
        if (!s.dead.empty())
            parts << tr("%1 dead").arg(s.dead.size());
        if (!s.rare.empty())
            parts << tr("%1 rare").arg(s.rare.size());
        const auto list = [](const std::vector<int>& channels) {
            QStringList out;
            for (size_t i = 0; i < channels.size() && i < 40; ++i)
                out << QString::number(channels[i]);
            return out.join(QStringLiteral(", ")) + (channels.size() > 40 ? QStringLiteral(", …") : QString());
        };
        notes.insert(QString::fromStdString(s.layer),
                     {parts.join(QStringLiteral(" · ")),
                      tr("Receptive field %1 px (measured).\nDead (never > 0 on the scanned images): %2\nRarely firing (< 0.5% of positions): %3")
                          .arg(s.receptiveField)
                          .arg(s.dead.empty() ? tr("none") : list(s.dead))
                          .arg(s.rare.empty() ? tr("none") : list(s.rare))});
    }
    layerBrowser_->setAnnotations(notes);
}

void MainWindow::refreshExamples()
{
    if (selection_->channel() < 0 || !session_->hasScan()) {
        if (session_->hasModel() && !session_->hasScan()) {
            examples_->clearExamples(tr("Dataset > Scan Folder… indexes a folder of images; then every unit shows its examples here."));
            distribution_->clearDistribution(tr("Scan a folder (Dataset > Scan Folder…) to see each unit's distribution."));
        }
        return;
    }
    session_->requestExamples(selection_->layer(), selection_->channel(), examples_->wholeImages());
}

void MainWindow::openModel(const QString& path)
{
    settings_->setLastDirectory(QFileInfo(path).absolutePath());
    session_->openModel(path, devicePreferenceFromString(settings_->devicePreference().toStdString()));
}

bool MainWindow::openImage(const QString& path)
{
    try {
        const RgbImage image = loadImage(path.toStdString());
        settings_->addRecentImage(path);
        refreshRecentMenus();
        figureContext_.imagePath = QFileInfo(path).absoluteFilePath();
        session_->setImage(image, path);
        image_->setImage(widgets::toQImage(image), QFileInfo(path).fileName());
        dictionary_->setImage(widgets::toQImage(image));
        refreshLayerViews();
        return true;
    } catch (const std::exception& e) {
        showError(tr("Cannot open image"), QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::openImage(const QImage& image, const QString& name)
{
    if (image.isNull())
        return;
    figureContext_.imagePath = name;
    session_->setImage(widgets::fromQImage(image), name);
    image_->setImage(image.convertToFormat(QImage::Format_RGB888), name);
    dictionary_->setImage(image.convertToFormat(QImage::Format_RGB888));
    refreshLayerViews();
}

void MainWindow::chooseModel()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open TorchScript model"), settings_->lastDirectory(),
                                                      tr("TorchScript models (*.pt *.pth *.torchscript);;All files (*)"));
    if (!path.isEmpty())
        openModel(path);
}

void MainWindow::chooseImage()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open image"), settings_->lastDirectory(),
                                                      tr("Images (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff);;All files (*)"));
    if (path.isEmpty())
        return;
    settings_->setLastDirectory(QFileInfo(path).absolutePath());
    openImage(path);
}

void MainWindow::pasteImage()
{
    const QImage image = QApplication::clipboard()->image();
    if (image.isNull()) {
        statusBar()->showMessage(tr("The clipboard holds no image"), 4000);
        return;
    }
    openImage(image, tr("pasted image"));
}

void MainWindow::refreshRecentMenus()
{
    const auto fill = [this](QMenu* menu, const QStringList& paths, bool models) {
        menu->clear();
        for (const QString& path : paths) {
            QAction* a = menu->addAction(QFileInfo(path).fileName());
            a->setToolTip(path);
            a->setEnabled(QFileInfo::exists(path));
            connect(a, &QAction::triggered, this, [this, path, models] { models ? openModel(path) : void(openImage(path)); });
        }
        menu->setEnabled(!paths.isEmpty());
    };
    fill(recentModels_, settings_->recentModels(), true);
    fill(recentImages_, settings_->recentImages(), false);
}

void MainWindow::updateStatus()
{
    memoryLabel_->setText(QString::fromStdString(memoryUsageText(session_->deviceIsCuda())) + QStringLiteral("   "));
    if (!session_->hasModel())
        deviceLabel_->setText(tr("Device: %1").arg(QString::fromStdString(
            resolveDevice(devicePreferenceFromString(settings_->devicePreference().toStdString())).name)));
}

void MainWindow::resetLayout()
{
    for (QDockWidget* dock : docks_) {
        dock->setFloating(false);
        dock->show();
    }
    restoreState(defaultState_, Settings::kLayoutVersion);
}

bool MainWindow::raiseDock(const QString& name)
{
    // "dock.examples", "examples" or the title as shown, "Dataset Examples".
    const auto matches = [&name](const QDockWidget* dock) {
        return dock->objectName() == name || dock->objectName().compare(QStringLiteral("dock.") + name, Qt::CaseInsensitive) == 0 ||
               dock->windowTitle().compare(name, Qt::CaseInsensitive) == 0;
    };
    for (QDockWidget* dock : docks_) {
        if (matches(dock)) {
            dock->show();
            dock->raise();
            return true;
        }
    }
    return false;
}

QStringList MainWindow::dockNames() const
{
    QStringList names;
    for (const QDockWidget* dock : docks_)
        names << dock->objectName().mid(int(qstrlen("dock.")));
    return names;
}

void MainWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(title + QStringLiteral(": ") + message.section(QLatin1Char('\n'), -1), 8000);
    // A scripted run (--screenshot) has nobody to close a modal dialog: it would block until
    // the watchdog fires, without a screenshot. The status bar and stderr say it instead.
    if (scripted_) {
        std::fprintf(stderr, "loupe: %s: %s\n", qPrintable(title), qPrintable(message.simplified()));
        return;
    }
    if (!qEnvironmentVariableIsSet("LOUPE_NO_DIALOGS"))
        QMessageBox::warning(this, title, message);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    settings_->saveWindow(saveGeometry(), saveState(Settings::kLayoutVersion));
    runner_->cancelAll();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls() || event->mimeData()->hasImage())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QMimeData* mime = event->mimeData();
    for (const QUrl& url : mime->urls()) {
        const QString path = url.toLocalFile();
        if (path.isEmpty())
            continue;
        if (looksLikeModel(path))
            openModel(path);
        else
            openImage(path);
    }
    if (mime->urls().isEmpty() && mime->hasImage())
        openImage(qvariant_cast<QImage>(mime->imageData()), tr("dropped image"));
    event->acceptProposedAction();
}

} // namespace loupe::app

namespace loupe::app {

void MainWindow::connectTuning()
{
    connect(tuning_, &widgets::TuningPanel::tuningRequested, this, [this](const widgets::TuningRequest& r) {
        session_->requestTuning(ModelSession::TuningExperiment(int(r.mode)), r.stimulus, r.sweep, r.layer, r.channels);
    });
    connect(tuning_, &widgets::TuningPanel::saveFamilyRequested, session_, &ModelSession::saveFamily);
    connect(session_, &ModelSession::familiesChanged, tuning_, &widgets::TuningPanel::setFamilies);
    connect(session_, &ModelSession::tuningSweepReady, tuning_, &widgets::TuningPanel::setSweep);
    connect(session_, &ModelSession::tuningRadialReady, tuning_, &widgets::TuningPanel::setRadial);
    connect(session_, &ModelSession::tuningRotationReady, tuning_, &widgets::TuningPanel::setRotation);
    connect(session_, &ModelSession::tuningInvarianceReady, tuning_, &widgets::TuningPanel::setInvariance);
    connect(session_, &ModelSession::tuningRankReady, tuning_, &widgets::TuningPanel::setRanking);
    connect(session_, &ModelSession::tuningFailed, tuning_, &widgets::TuningPanel::clearResults);
    connect(occlusion_, &widgets::OcclusionPanel::occlusionRequested, session_, &ModelSession::requestOcclusion);
    connect(session_, &ModelSession::occlusionHeatmapReady, occlusion_, &widgets::OcclusionPanel::showHeatmap);
    connect(session_, &ModelSession::occlusionClassesReady, occlusion_, &widgets::OcclusionPanel::showClasses);
    connect(session_, &ModelSession::occlusionFailed, occlusion_, &widgets::OcclusionPanel::clearMap);
    connect(circuit_, &widgets::CircuitPanel::circuitRequested, session_, &ModelSession::requestCircuit);
    connect(session_, &ModelSession::circuitReady, circuit_, &widgets::CircuitPanel::setCircuit);
    connect(session_, &ModelSession::circuitFailed, circuit_, &widgets::CircuitPanel::clearCircuit);
    connect(nmf_, &widgets::NmfPanel::nmfRequested, session_, &ModelSession::requestNmfFactors);
    connect(nmf_, &widgets::NmfPanel::saveDirectionRequested, session_, &ModelSession::saveNamedDirection);
    connect(session_, &ModelSession::nmfFactorsReady, nmf_, &widgets::NmfPanel::setFactors);
    connect(session_, &ModelSession::nmfFactorImagesReady, nmf_, &widgets::NmfPanel::setFactorImages);
    connect(session_, &ModelSession::nmfFailed, nmf_, &widgets::NmfPanel::clearFactors);
    connect(atlas_, &widgets::AtlasPanel::atlasRequested, session_, &ModelSession::requestAtlas);
    connect(atlas_, &widgets::AtlasPanel::imageMapRequested, session_, &ModelSession::requestImageMap);
    connect(session_, &ModelSession::imageMapReady, atlas_, &widgets::AtlasPanel::setImageMap);
    connect(atlas_, &widgets::AtlasPanel::patchesWanted, session_, &ModelSession::requestAtlasPatches);
    connect(atlas_, &widgets::AtlasPanel::placementWanted, session_, &ModelSession::requestAtlasPlacement);
    connect(atlas_, &widgets::AtlasPanel::saveDirectionRequested, session_, &ModelSession::saveNamedDirection);
    connect(session_, &ModelSession::atlasReady, atlas_, &widgets::AtlasPanel::setAtlas);
    connect(session_, &ModelSession::atlasFailed, atlas_, &widgets::AtlasPanel::clearAtlas);
    connect(session_, &ModelSession::atlasPatchesReady, atlas_, &widgets::AtlasPanel::setCellPatches);
    connect(session_, &ModelSession::atlasPlacementReady, atlas_, &widgets::AtlasPanel::setImagePlacement);
    connect(session_, &ModelSession::directionSaved, atlas_, [this](const QString& name) {
        atlas_->setStatus(tr("Saved: use the objective direction:%1 in the Neuron dock").arg(name));
    });
    connect(session_, &ModelSession::directionSaved, nmf_, [this](const QString& name) {
        nmf_->setStatus(tr("Saved: use the objective direction:%1 in the Neuron dock").arg(name));
    });
}

} // namespace loupe::app
