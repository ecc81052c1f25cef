#pragma once

#include <QObject>
#include <QString>

#include <functional>

class QMenu;

namespace loupe::app {

class ModelSession;
class Settings;

// File > Recent Models and Recent Images, kept in the settings; a click opens the file.
class RecentFilesMenus : public QObject {
    Q_OBJECT
public:
    RecentFilesMenus(Settings* settings, QMenu* models, QMenu* images,
        std::function<void(const QString&)> openModel,
        std::function<void(const QString&)> openImage, QObject* parent);
    void addModel(const QString& path);
    void addImage(const QString& path);
    void refresh();

private:
    Settings* settings_;
    QMenu* models_;
    QMenu* images_;
    std::function<void(const QString&)> openModel_, openImage_;
};

// Settings > Compute Device: automatic, CPU or CUDA (when available); the choice is kept and
// the open model moves to it.
void addDeviceMenu(QMenu* settingsMenu, Settings* settings, ModelSession* session);

}  // namespace loupe::app
