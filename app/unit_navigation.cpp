#include "app/unit_navigation.h"

#include "core/file_hash_memo.h"
#include "core/unit_id.h"
#include "core/unit_page.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace loupe::app {

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("UnitNavigation", text);
}
}  // namespace

bool looksLikeUnitLink(const QString& text)
{
    return text.trimmed().startsWith(QLatin1String("loupe://"));
}

UnitDestination resolveUnitText(const QString& text, const QString& openModelHash,
    const QStringList& recentModels, const QString& dataDirectory)
{
    UnitDestination destination;
    if (!looksLikeUnitLink(text)) {
        try {
            const UnitId unit = UnitId::parse(text.trimmed().toStdString());
            if (unit.channel < 0)
                throw std::runtime_error("no channel");
            destination.layer = QString::fromStdString(unit.layer);
            destination.channel = unit.channel;
        } catch (const std::exception&) {
            destination.problem =
                tr("'%1' is not a unit: type layer:channel (inception_3b:413) or paste a "
                   "loupe:// link")
                    .arg(text.trimmed());
        }
        return destination;
    }
    const auto link = parseUnitLink(text.toStdString());
    if (!link) {
        destination.problem = tr("'%1' is not a unit link (loupe://<model hash>/<layer>/<channel>)")
                                  .arg(text.trimmed());
        return destination;
    }
    destination.layer = QString::fromStdString(link->layer);
    destination.channel = link->channel;
    const QString hash = QString::fromStdString(link->modelHash);
    if (openModelHash.startsWith(hash) && !openModelHash.isEmpty())
        return destination;
    const std::string memo = fileHashMemoPath(dataDirectory.toStdString());
    for (const QString& path : recentModels) {
        if (!QFileInfo::exists(path))
            continue;
        try {
            if (QString::fromStdString(memoisedFileHash(path.toStdString(), memo))
                    .startsWith(hash)) {
                destination.modelPath = path;
                return destination;
            }
        } catch (const std::exception&) {
            continue;  // an unreadable recent file is not this one
        }
    }
    destination.problem = tr("The link names model %1…, which is not open and is not among the "
                             "recent models: open that model file first.")
                              .arg(hash.left(12));
    return destination;
}

}  // namespace loupe::app
