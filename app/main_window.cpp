#include "app/main_window.h"

#include "app/dock_layout.h"
#include "app/error_dialog.h"
#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/modules/activations_module.h"
#include "app/modules/atlas_module.h"
#include "app/modules/attribution_module.h"
#include "app/modules/concepts_module.h"
#include "app/modules/curves_module.h"
#include "app/modules/decision_module.h"
#include "app/modules/edits_module.h"
#include "app/modules/timeline_module.h"
#include "app/modules/unit_page_module.h"
#include "app/task_presets.h"
#include "app/unit_navigation.h"
#include "app/user_guide.h"
#include "app/modules/dissection_module.h"
#include "app/modules/circuit_module.h"
#include "app/modules/dataset_module.h"
#include "app/modules/dictionary_module.h"
#include "app/modules/adversarial_module.h"
#include "app/modules/dream_module.h"
#include "app/modules/inversion_module.h"
#include "app/modules/style_module.h"
#include "app/modules/texture_shape_module.h"
#include "app/modules/neuron_module.h"
#include "app/modules/nmf_module.h"
#include "app/modules/occlusion_module.h"
#include "app/modules/tuning_module.h"
#include "app/modules/weights_module.h"
#include "app/saved_records.h"
#include "app/settings.h"
#include "app/thumbnail_service.h"
#include "app/window_menus.h"
#include "core/device.h"
#include "core/synthetic_shapes.h"
#include "core/error.h"
#include "core/unit_page.h"
#include "core/workspace.h"
#include "widgets/figure_export.h"
#include "widgets/image_panel.h"
#include "widgets/jobs_panel.h"
#include "widgets/layer_browser.h"
#include "widgets/qt_image.h"
#include "widgets/unit_selection.h"
#include "widgets/welcome_panel.h"

#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QGuiApplication>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QScreen>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTimer>
#include <QUndoStack>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace loupe::app {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), settings_(new Settings), runner_(new JobRunner(this)),
      undoStack_(new QUndoStack(this)), session_(new ModelSession(runner_, this)),
      selection_(new widgets::UnitSelection(this)),
      records_(new SavedRecords(session_, runner_, undoStack_, this)),
      thumbnails_(new ThumbnailService(session_, runner_, this))
{
    setWindowTitle(tr("Loupe"));
    setAcceptDrops(true);
    setDockOptions(
        QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks | QMainWindow::AllowNestedDocks);
    buildModules();
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

    // Most of the screen's available area: a 1366x768 laptop gets a window it can see whole,
    // a 1920x1080 monitor a larger one than the 1640x960 this once opened at.
    const QSize fallback(1640, 960);

    resize(screen() ? (screen()->availableGeometry().size() * 0.95).boundedTo(QSize(2400, 1500))
                    : fallback);
    // While the docks are first laid out (all of them, before they are tabbed) the window's
    // minimum is briefly larger than a laptop screen and Qt grows the window to it; bring it
    // back once shown, and again when a model's docks fill in.
    QTimer::singleShot(0, this, &MainWindow::fitToScreen);
    defaultState_ = saveState(Settings::kLayoutVersion);
    restoreGeometry(settings_->windowGeometry());
    const QByteArray state = settings_->windowState();
    if (!state.isEmpty())
        restoreState(state, Settings::kLayoutVersion);
    showWholeTabTitles(*this, docks_);
}

MainWindow::~MainWindow()
{
    runner_->cancelAll();
    delete settings_;
}

// The order is the order of the tabs in each dock group.
void MainWindow::buildModules()
{
    const AppContext context{
        session_, runner_, {selection_, &figureContext_}, records_, thumbnails_, this};
    modules_ = {new ActivationsModule(context, this), new WeightsModule(context, this),
        new DictionaryModule(context, this), new AttributionModule(context, this),
        new OcclusionModule(context, this), new NeuronModule(context, this),
        new DatasetModule(context, this), new TuningModule(context, this),
        new CircuitModule(context, this), new NmfModule(context, this),
        new AtlasModule(context, this), new InversionModule(context, this),
        new DreamModule(context, this), new StyleModule(context, this),
        new AdversarialModule(context, this), new TextureShapeModule(context, this),
        new ConceptsModule(context, this), new DissectionModule(context, this),
        new DecisionModule(context, this), new CurvesModule(context, this),
        new EditsModule(context, this), new TimelineModule(context, this),
        new UnitPageModule(context, this)};
}

QDockWidget* MainWindow::addDock(
    QWidget* body, const QString& title, const QString& objectName, Qt::DockWidgetArea area)
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
    image_ = new widgets::ImagePanel({selection_, &figureContext_});
    welcome_ = new widgets::WelcomePanel;
    // The welcome page scrolls: a stack is at least as large as its largest page, and the
    // welcome text must not make the window taller or wider than a laptop screen.
    welcomeScroll_ = new QScrollArea;
    welcomeScroll_->setWidget(welcome_);
    welcomeScroll_->setWidgetResizable(true);
    welcomeScroll_->setFrameShape(QFrame::NoFrame);
    centre_ = new QStackedWidget;
    centre_->addWidget(image_);
    centre_->addWidget(welcomeScroll_);
    // It also sizes itself to its largest page's size hint unless the hidden ones are Ignored.
    welcomeScroll_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    setCentralWidget(centre_);
    connect(welcome_, &widgets::WelcomePanel::openModelRequested, this, &MainWindow::chooseModel);
    connect(welcome_, &widgets::WelcomePanel::builtinModelRequested, this,
        &MainWindow::openBuiltinModel);
    connect(welcome_, &widgets::WelcomePanel::recentModelRequested, this, &MainWindow::openModel);
    connect(
        welcome_, &widgets::WelcomePanel::guideRequested, this, [this] { showUserGuide(this); });
    layerBrowser_ = new widgets::LayerBrowser(selection_);
    jobsPanel_ = new widgets::JobsPanel;
    QDockWidget* layers = addDock(
        layerBrowser_, tr("Layer Browser"), QStringLiteral("dock.layers"), Qt::LeftDockWidgetArea);
    const ModuleDocks modules = addModuleDocks(*this, modules_);
    docks_ << modules.all;
    moduleDocks_ = modules.all;
    QDockWidget* jobs =
        addDock(jobsPanel_, tr("Jobs"), QStringLiteral("dock.jobs"), Qt::BottomDockWidgetArea);
    if (modules.firstImageDock && modules.firstUnitDock)
        // The layer browser wide enough for its five columns at 1920 px (narrower screens
        // give it less: the docks keep their minimum widths).
        resizeDocks({layers, modules.firstImageDock, modules.firstUnitDock}, {560, 520, 480},
            Qt::Horizontal);
    resizeDocks({jobs}, {130}, Qt::Vertical);

    connect(runner_, &JobRunner::jobAdded, jobsPanel_, &widgets::JobsPanel::addJob);
    connect(runner_, &JobRunner::jobStateChanged, jobsPanel_, &widgets::JobsPanel::setJobState);
    connect(runner_, &JobRunner::jobProgress, jobsPanel_, &widgets::JobsPanel::updateJob);
    // The built-in model's training shows on the welcome page too.
    connect(runner_, &JobRunner::jobProgress, this,
        [this](int id, double fraction, const QString& text) {
            if (id == trainingJob_)
                welcome_->setTrainingProgress(fraction, text);
        });
    connect(runner_, &JobRunner::jobFinished, this, [this](int id) {
        if (id == trainingJob_)
            welcome_->setTrainingProgress(-1, {});
    });
    connect(runner_, &JobRunner::jobFinished, jobsPanel_, &widgets::JobsPanel::finishJob);
    connect(jobsPanel_, &widgets::JobsPanel::cancelRequested, runner_, &JobRunner::cancel);
    connect(jobsPanel_, &widgets::JobsPanel::runNextRequested, runner_, &JobRunner::runNext);
    connect(layerBrowser_, &widgets::LayerBrowser::linkEntered, this, &MainWindow::goToUnit);
    connect(layerBrowser_, &widgets::LayerBrowser::unitTyped, this,
        [this] { raiseDock(QStringLiteral("unitpage")); });
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &Model…"), QKeySequence::Open, this, &MainWindow::chooseModel);
    QMenu* recentModels = file->addMenu(tr("Recent Models"));
    file->addAction(tr("Open &Image…"), QKeySequence(tr("Ctrl+I")), this, &MainWindow::chooseImage);
    recent_ = new RecentFilesMenus(
        settings_, recentModels, file->addMenu(tr("Recent Images")),
        [this](const QString& path) { openModel(path); },
        [this](const QString& path) { openImage(path); }, this);
    file->addAction(tr("&Paste Image"), QKeySequence::Paste, this, &MainWindow::pasteImage);
    file->addSeparator();
    QMenu* exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Image and Predictions…"), image_, &widgets::Panel::exportWithDialog);
    for (FeatureModule* module : modules_)
        for (const ModuleDock& d : module->docks())
            exportMenu->addAction(d.exportLabel, d.panel, &widgets::Panel::exportWithDialog);
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
    edit->addSeparator();
    edit->addAction(tr("&Go to Unit…"), QKeySequence(tr("Ctrl+G")), this, &MainWindow::askForUnit);

    QMenu* model = menuBar()->addMenu(tr("&Model"));
    model->addAction(tr("Open &Built-in Model"), this, &MainWindow::openBuiltinModel);
    model->addAction(tr("&Train Built-in Model…"), this, [this] {
        if (QMessageBox::question(this, tr("Train built-in model"),
                tr("Generate the shapes dataset and train Loupe's built-in CNN (about two minutes "
                   "on "
                   "two CPU cores)? The current built-in model is replaced when training "
                   "succeeds.")) == QMessageBox::Yes)
            trainBuiltinModel();
    });

    QMenu* dataset = menuBar()->addMenu(tr("&Dataset"));
    for (FeatureModule* module : modules_)
        module->addMenuEntries(exportMenu, dataset);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : docks_)
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    QMenu* presets = view->addMenu(tr("Task &Presets"));
    int key = Qt::Key_1;
    for (const TaskPreset& preset : taskPresets())
        presets->addAction(preset.title, QKeySequence(Qt::ALT | Qt::Key(key++)), this,
            [this, name = preset.name] { applyPreset(name); });
    view->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);

    addDeviceMenu(menuBar()->addMenu(tr("&Settings")), settings_, session_);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(
        tr("&Guide"), QKeySequence::HelpContents, this, [this] { showUserGuide(this); });
    help->addAction(tr("&About Loupe"), this, [this] {
        QMessageBox::about(this, tr("About Loupe"),
            tr("<b>Loupe</b> — a microscope for the neurons of convolutional networks.<br>"
               "Open a TorchScript CNN, pick a layer, open an image."));
    });
}

void MainWindow::askForUnit()
{
    // A link on the clipboard is what the user most likely wants to open.
    const QString clipboard = QGuiApplication::clipboard()->text().trimmed();
    bool ok = false;
    const QString text = QInputDialog::getText(this, tr("Go to Unit"),
        tr("Unit (layer:channel, e.g. inception_3b:413) or a loupe:// link:"), QLineEdit::Normal,
        looksLikeUnitLink(clipboard) ? clipboard : selection_->unitText(), &ok);
    if (ok && !text.trimmed().isEmpty())
        goToUnit(text);
}

bool MainWindow::goToUnit(const QString& text)
{
    const UnitDestination destination = resolveUnitText(text, session_->modelHash(),
        settings_->recentModels(), QString::fromStdString(Workspace::defaultDataDirectory()));
    if (!destination.problem.isEmpty()) {
        showError(tr("Go to Unit"), destination.problem);
        return false;
    }
    if (!destination.modelPath.isEmpty()) {
        pendingUnit_ = text;
        openModel(destination.modelPath);
        return true;
    }
    const auto model = session_->model();
    if (!model) {
        showError(tr("Go to Unit"), tr("No model is open."));
        return false;
    }
    try {
        const LayerInfo& layer =
            checkedUnit(*model, destination.layer.toStdString(), destination.channel);
        selection_->selectUnit(QString::fromStdString(layer.path), destination.channel);
    } catch (const std::exception& e) {
        showError(tr("Go to Unit"), QString::fromStdString(firstLine(e.what())));
        return false;
    }
    raiseDock(QStringLiteral("unitpage"));
    return true;
}

void MainWindow::connectSession()
{
    connect(session_, &ModelSession::modelLoading, this, [this](const QString& path) {
        modelLabel_->setText(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    });
    connect(session_, &ModelSession::modelLoaded, this, [this] {
        recent_->addModel(session_->modelPath());
        figureContext_.modelPath = session_->modelPath();
        figureContext_.modelHash = session_->modelHash();
        figureContext_.modelName = session_->modelName();
        setWindowTitle(tr("%1 — Loupe").arg(session_->modelName()));
        modelLabel_->setText(tr("%1  ·  %2 layers  ·  hash %3")
                                 .arg(session_->modelName())
                                 .arg(session_->layers().size())
                                 .arg(session_->modelHash().left(12)));
        layerBrowser_->setLayers(session_->layers());
        QTimer::singleShot(0, this, &MainWindow::widenLayerBrowser);
        selection_->clear();
        if (!session_->hasImage() &&
            QFileInfo(session_->modelPath()) == QFileInfo(builtinModelFile())) {
            // Something to look at straight away: a sample from the model's own dataset.
            openImage(widgets::toQImage(renderShapeSample(ShapeClass::Spiral, 3, 256)),
                tr("sample spiral (built-in dataset)"));
            showStrongestUnit_ = true;
        }
        selection_->selectLayer(session_->defaultLayer());
        showWelcome(false);
        QTimer::singleShot(0, this, &MainWindow::fitToScreen);
        if (!pendingUnit_.isEmpty())
            goToUnit(std::exchange(pendingUnit_, QString()));
        emit modelReady();
    });
    connect(session_, &ModelSession::editsChanged, this, [this] {
        const int edits = int(session_->edits().edits.size());
        const QString edited = edits ? tr(" (edited: %n edit(s))", nullptr, edits) : QString();
        setWindowTitle(tr("%1%2 — Loupe").arg(session_->modelName(), edited));
        modelLabel_->setText(tr("%1%2  ·  %3 layers  ·  hash %4")
                                 .arg(session_->modelName(), edited)
                                 .arg(session_->layers().size())
                                 .arg(session_->modelHash().left(12)));
    });
    const auto modelText = [this] {
        return session_->hasModel() ? session_->modelName() : tr("No model: File > Open Model…");
    };
    connect(session_, &ModelSession::modelFailed, this,
        [this, modelText](const QString& path, const QString& message) {
            modelLabel_->setText(modelText());
            if (!session_->hasModel()) {  // nothing to show: the welcome page says what happened
                showWelcome(true);
                welcome_->setMessage(tr("Could not open %1: %2").arg(path, message));
            }
            showError(tr("Cannot open model"), tr("%1\n\n%2").arg(path, message));
            emit modelFailed(message);
        });
    connect(
        session_, &ModelSession::trainingFailed, this, [this, modelText](const QString& message) {
            modelLabel_->setText(modelText());
            welcome_->setMessage(tr("The built-in model was not trained: %1").arg(message));
            showError(tr("Built-in model not trained"), message);
        });
    connect(session_, &ModelSession::deviceChanged, this,
        [this](const QString& name) { deviceLabel_->setText(tr("Device: %1").arg(name)); });
    connect(session_, &ModelSession::activationsChanged, this, [this](const LayerActivations& a) {
        image_->setPredictions(a.predictions);
        // First launch on the built-in model: show what its most active unit responds to, so
        // the Neuron dock has something in it before the first click.
        if (showStrongestUnit_ && selection_->channel() < 0 && !a.channelMax.empty()) {
            showStrongestUnit_ = false;
            const auto strongest =
                std::max_element(a.channelMax.begin(), a.channelMax.end()) - a.channelMax.begin();
            selection_->selectUnit(QString::fromStdString(a.layer), int(strongest));
        }
    });
    connect(session_, &ModelSession::scanChanged, layerBrowser_,
        &widgets::LayerBrowser::setScanSummaries);
    connect(selection_, &widgets::UnitSelection::unitChanged, this,
        [this] { figureContext_.unit = selection_->unitText(); });
    connect(records_, &SavedRecords::restoreFailed, this,
        [this](const QString& message) { showError(tr("Undo"), message); });
}

void MainWindow::widenLayerBrowser()
{
    // Every column whole, as far as a third of the window allows, and never narrower than the
    // user made it. Once per model opened, never when results arrive.
    auto* dock = findChild<QDockWidget*>(QStringLiteral("dock.layers"));
    const int wanted = std::min(layerBrowser_->widthForAllColumns(), width() / 3);
    if (dock && dock->isVisible() && dock->width() < wanted)
        resizeDocks({dock}, {wanted}, Qt::Horizontal);
}

void MainWindow::fitToScreen()
{
    if (screen() && !isMaximized() && !isFullScreen())
        resize(size().boundedTo(screen()->availableGeometry().size()));
}

void MainWindow::updateStatus()
{
    memoryLabel_->setText(
        QString::fromStdString(memoryUsageText(session_->deviceIsCuda())) + QStringLiteral("   "));
    if (!session_->hasModel())
        deviceLabel_->setText(
            tr("Device: %1")
                .arg(QString::fromStdString(resolveDevice(
                    devicePreferenceFromString(settings_->devicePreference().toStdString()))
                                                .name)));
}

void MainWindow::resetLayout()
{
    for (QDockWidget* dock : docks_) {
        dock->setFloating(false);
        dock->show();
    }
    restoreState(defaultState_, Settings::kLayoutVersion);
    showWholeTabTitles(*this, {});
}

QString MainWindow::exportDock(const QString& name, const QString& path)
{
    const QDockWidget* dock = findDock(name);
    if (!dock)
        return tr("no dock named '%1'").arg(name);
    const auto* view = dynamic_cast<const widgets::Exportable*>(dock->widget());
    if (!view)
        return tr("the %1 dock has no figure to export").arg(name);
    const widgets::ExportResult result = widgets::exportFigure(*view, path, 150, figureContext_);
    return result.ok ? QString() : result.error;
}

bool MainWindow::applyPreset(const QString& name)
{
    if (welcomeShown_)
        showWelcome(false);
    return applyTaskPreset(name, moduleDocks_);
}

void MainWindow::showWelcome(bool shown)
{
    if (shown == welcomeShown_)
        return;
    welcomeShown_ = shown;
    if (shown) {
        welcomeState_ = saveState(Settings::kLayoutVersion);
        welcome_->setRecentModels(settings_->recentModels());
        for (QDockWidget* dock : moduleDocks_)
            dock->hide();
        image_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
        welcomeScroll_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
        centre_->setCurrentWidget(welcomeScroll_);
    } else {
        welcomeScroll_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
        image_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
        centre_->setCurrentWidget(image_);
        restoreState(welcomeState_, Settings::kLayoutVersion);
        showWholeTabTitles(*this, {});
    }
    QTimer::singleShot(0, this, &MainWindow::fitToScreen);
}

QDockWidget* MainWindow::findDock(const QString& name) const
{
    // "dock.examples", "examples" or the title as shown, "Dataset Examples".
    for (QDockWidget* dock : docks_)
        if (dock->objectName() == name ||
            dock->objectName().compare(QStringLiteral("dock.") + name, Qt::CaseInsensitive) == 0 ||
            dock->windowTitle().compare(name, Qt::CaseInsensitive) == 0)
            return dock;
    return nullptr;
}

bool MainWindow::raiseDock(const QString& name)
{
    QDockWidget* dock = findDock(name);
    if (!dock)
        return false;
    dock->show();
    dock->raise();
    return true;
}

QStringList MainWindow::dockNames() const
{
    QStringList names;
    for (const QDockWidget* dock : docks_)
        names << dock->objectName().mid(int(qstrlen("dock.")));
    return names;
}

void MainWindow::showStatus(const QString& message, int milliseconds)
{
    statusBar()->showMessage(message, milliseconds);
}

void MainWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(
        title + QStringLiteral(": ") + message.section(QLatin1Char('\n'), -1), 8000);
    // A scripted run (--screenshot) has nobody to close a modal dialog: it would block until
    // the watchdog fires, without a screenshot. The status bar and stderr say it instead.
    if (scripted_) {
        std::fprintf(
            stderr, "loupe: %s: %s\n", qPrintable(title), qPrintable(message.simplified()));
        return;
    }
    if (!qEnvironmentVariableIsSet("LOUPE_NO_DIALOGS"))
        showErrorDialog(this, title, message, session_, this);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    // Closed on the welcome page: keep the docks the user had, not the hidden ones.
    settings_->saveWindow(
        saveGeometry(), welcomeShown_ ? welcomeState_ : saveState(Settings::kLayoutVersion));
    runner_->cancelAll();
    QMainWindow::closeEvent(event);
}

}  // namespace loupe::app
