// MainWindow, continued: opening models and images — the built-in model, File > Open, paste,
// drag and drop, and images decoded off the GUI thread.
#include "app/job_runner.h"
#include "app/main_window.h"
#include "app/model_session.h"
#include "app/settings.h"
#include "app/window_menus.h"
#include "core/builtin_model.h"
#include "core/device.h"
#include "core/image_io.h"
#include "core/workspace.h"
#include "widgets/image_panel.h"
#include "widgets/qt_image.h"
#include "widgets/welcome_panel.h"

#include <QApplication>
#include <QClipboard>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMimeData>

namespace loupe::app {
namespace {

bool looksLikeModel(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("pt") || suffix == QLatin1String("pth") ||
        suffix == QLatin1String("torchscript");
}

}  // namespace

QString MainWindow::builtinModelFile()
{
    // The user's own training, else the copy the package trained; where training writes when
    // there is neither.
    const std::string data = Workspace::defaultDataDirectory();
    const std::string available =
        availableBuiltinModel(data, QCoreApplication::applicationDirPath().toStdString());
    return QString::fromStdString(available.empty() ? builtinModelPath(data) : available);
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
    if (!session_->hasModel())
        showWelcome(true);  // its progress there, not two dozen empty docks
    welcome_->setMessage(QString());
    welcome_->setTrainingProgress(0, tr("starting"));
    raiseDock(QStringLiteral("dock.jobs"));
    trainingJob_ = session_->trainBuiltinModel(
        QString::fromStdString(builtinModelDirectory(Workspace::defaultDataDirectory())),
        devicePreferenceFromString(settings_->devicePreference().toStdString()));
}

void MainWindow::openModel(const QString& path)
{
    settings_->setLastDirectory(QFileInfo(path).absolutePath());
    session_->openModel(
        path, devicePreferenceFromString(settings_->devicePreference().toStdString()));
}

bool MainWindow::openImage(const QString& path)
{
    if (!QFileInfo(path).isFile()) {
        showError(
            tr("Cannot open image"), tr("image '%1' does not exist or is not a file").arg(path));
        return false;
    }
    // Decoding a large photo takes long enough to stall the window: a job, like everything else.
    runner_->submit(
        {tr("Open %1").arg(QFileInfo(path).fileName()), JobRunner::Pool::Cpu,
            QStringLiteral("open-image")},
        this, [file = path.toStdString()](JobContext&) { return loadImage(file); },
        [this, path](const RgbImage& image) {
            recent_->addImage(path);
            figureContext_.imagePath = QFileInfo(path).absoluteFilePath();
            image_->setImage(widgets::toQImage(image), QFileInfo(path).fileName());
            session_->setImage(image, path);
        },
        [this](const QString& message) { showError(tr("Cannot open image"), message); });
    return true;
}

void MainWindow::openImage(const QImage& image, const QString& name)
{
    if (image.isNull())
        return;
    figureContext_.imagePath = name;
    image_->setImage(image.convertToFormat(QImage::Format_RGB888), name);
    session_->setImage(widgets::fromQImage(image), name);
}

QString MainWindow::lastDirectory() const
{
    return settings_->lastDirectory();
}

void MainWindow::chooseModel()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open TorchScript model"), settings_->lastDirectory(),
            tr("TorchScript models (*.pt *.pth *.torchscript);;All files (*)"));
    if (!path.isEmpty())
        openModel(path);
}

void MainWindow::chooseImage()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open image"), settings_->lastDirectory(),
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
        showStatus(tr("The clipboard holds no image"), 4000);
        return;
    }
    openImage(image, tr("pasted image"));
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

}  // namespace loupe::app
