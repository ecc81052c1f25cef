#pragma once

#include <QString>
#include <QStringList>

namespace loupe::app {

// Where a typed unit ("inception_3b:413", an alias works too) or a loupe:// link leads. A link
// names its model by hash: the open model when it matches, otherwise a recent model file with
// that hash (hashes are memoised, so checking recent files rarely reads them).
struct UnitDestination {
    QString modelPath;  // empty: the open model
    QString layer;
    int channel = -1;
    QString problem;  // why there is nowhere to go; empty when there is
};
UnitDestination resolveUnitText(const QString& text, const QString& openModelHash,
    const QStringList& recentModels, const QString& dataDirectory);

bool looksLikeUnitLink(const QString& text);

}  // namespace loupe::app
