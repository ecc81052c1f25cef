#include "app/window_menus.h"

#include "app/model_session.h"
#include "app/settings.h"
#include "core/device.h"

#include <QActionGroup>
#include <QFileInfo>
#include <QMenu>

namespace loupe::app {

RecentFilesMenus::RecentFilesMenus(Settings* settings, QMenu* models, QMenu* images,
    std::function<void(const QString&)> openModel, std::function<void(const QString&)> openImage,
    QObject* parent)
    : QObject(parent), settings_(settings), models_(models), images_(images),
      openModel_(std::move(openModel)), openImage_(std::move(openImage))
{
    refresh();
}

void RecentFilesMenus::addModel(const QString& path)
{
    settings_->addRecentModel(path);
    refresh();
}

void RecentFilesMenus::addImage(const QString& path)
{
    settings_->addRecentImage(path);
    refresh();
}

void RecentFilesMenus::refresh()
{
    const auto fill = [](QMenu* menu, const QStringList& paths,
                          const std::function<void(const QString&)>& open) {
        menu->clear();
        for (const QString& path : paths) {
            QAction* a = menu->addAction(QFileInfo(path).fileName());
            a->setToolTip(path);
            a->setEnabled(QFileInfo::exists(path));
            QObject::connect(a, &QAction::triggered, menu, [open, path] { open(path); });
        }
        menu->setEnabled(!paths.isEmpty());
    };
    fill(models_, settings_->recentModels(), openModel_);
    fill(images_, settings_->recentImages(), openImage_);
}

void addDeviceMenu(QMenu* settingsMenu, Settings* settings, ModelSession* session)
{
    QMenu* deviceMenu = settingsMenu->addMenu(QObject::tr("Compute &Device"));
    auto* group = new QActionGroup(deviceMenu);
    const QString current = settings->devicePreference();
    const QList<QPair<QString, QString>> choices = {
        {QStringLiteral("auto"), QObject::tr("Automatic (CUDA when available)")},
        {QStringLiteral("cpu"), QObject::tr("CPU")},
        {QStringLiteral("cuda"), QObject::tr("CUDA GPU")}};
    for (const auto& [key, label] : choices) {
        QAction* a = deviceMenu->addAction(label);
        a->setCheckable(true);
        a->setChecked(key == current);
        a->setEnabled(key != QLatin1String("cuda") || cudaAvailable());
        group->addAction(a);
        QObject::connect(a, &QAction::triggered, deviceMenu, [settings, session, key = key] {
            settings->setDevicePreference(key);
            session->setDevice(devicePreferenceFromString(key.toStdString()));
        });
    }
}

}  // namespace loupe::app
