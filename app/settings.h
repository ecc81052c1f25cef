#pragma once

#include <QByteArray>
#include <QSettings>
#include <QStringList>

namespace loupe::app {

// Typed settings, all keys in one place.
class Settings {
public:
    static constexpr int kLayoutVersion = 17;  // bump when docks change: old layouts are dropped

    QStringList recentModels() const;
    void addRecentModel(const QString& path);
    QStringList recentImages() const;
    void addRecentImage(const QString& path);

    QString devicePreference() const;  // "auto" | "cpu" | "cuda"
    void setDevicePreference(const QString& value);

    bool sharedActivationScale() const;
    void setSharedActivationScale(bool shared);

    QString lastDirectory() const;
    void setLastDirectory(const QString& directory);

    QByteArray windowGeometry() const;
    QByteArray windowState() const;  // empty when saved by another layout version
    void saveWindow(const QByteArray& geometry, const QByteArray& state);

private:
    QStringList prependRecent(const char* key, const QString& path);
    mutable QSettings settings_;
};

}  // namespace loupe::app
