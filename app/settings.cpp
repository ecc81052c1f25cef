#include "app/settings.h"

#include <QDir>
#include <QFileInfo>

namespace loupe::app {
namespace {
constexpr int kMaxRecent = 10;
const char* const kRecentModels = "recent/models";
const char* const kRecentImages = "recent/images";
const char* const kDevice = "engine/device";
const char* const kSharedScale = "activations/sharedScale";
const char* const kLastDirectory = "files/lastDirectory";
const char* const kGeometry = "window/geometry";
const char* const kState = "window/state";
const char* const kLayoutVersionKey = "window/layoutVersion";
}  // namespace

QStringList Settings::prependRecent(const char* key, const QString& path)
{
    QStringList list = settings_.value(QLatin1String(key)).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaxRecent)
        list.removeLast();
    settings_.setValue(QLatin1String(key), list);
    return list;
}

QStringList Settings::recentModels() const
{
    return settings_.value(QLatin1String(kRecentModels)).toStringList();
}
void Settings::addRecentModel(const QString& path)
{
    prependRecent(kRecentModels, path);
}
QStringList Settings::recentImages() const
{
    return settings_.value(QLatin1String(kRecentImages)).toStringList();
}
void Settings::addRecentImage(const QString& path)
{
    prependRecent(kRecentImages, path);
}

QString Settings::devicePreference() const
{
    return settings_.value(QLatin1String(kDevice), QStringLiteral("auto")).toString();
}
void Settings::setDevicePreference(const QString& value)
{
    settings_.setValue(QLatin1String(kDevice), value);
}

bool Settings::sharedActivationScale() const
{
    return settings_.value(QLatin1String(kSharedScale), false).toBool();
}
void Settings::setSharedActivationScale(bool shared)
{
    settings_.setValue(QLatin1String(kSharedScale), shared);
}

QString Settings::lastDirectory() const
{
    return settings_.value(QLatin1String(kLastDirectory), QDir::homePath()).toString();
}
void Settings::setLastDirectory(const QString& directory)
{
    settings_.setValue(QLatin1String(kLastDirectory), directory);
}

QByteArray Settings::windowGeometry() const
{
    return settings_.value(QLatin1String(kGeometry)).toByteArray();
}

QByteArray Settings::windowState() const
{
    if (settings_.value(QLatin1String(kLayoutVersionKey)).toInt() != kLayoutVersion)
        return {};
    return settings_.value(QLatin1String(kState)).toByteArray();
}

void Settings::saveWindow(const QByteArray& geometry, const QByteArray& state)
{
    settings_.setValue(QLatin1String(kGeometry), geometry);
    settings_.setValue(QLatin1String(kState), state);
    settings_.setValue(QLatin1String(kLayoutVersionKey), kLayoutVersion);
}

}  // namespace loupe::app
