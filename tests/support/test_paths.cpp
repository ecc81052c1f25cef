#include "tests/support/test_paths.h"

#include <QDir>

namespace loupe::test {

QString sharedDataDirectory()
{
    const QString configured =
        qEnvironmentVariable("LOUPE_SHARED_DATA", QStringLiteral(LOUPE_SHARED_DATA_DIR));
    return QDir(configured).exists() ? QDir(configured).absolutePath() : QString();
}

QString cliPath()
{
    return QStringLiteral(LOUPE_CLI_PATH);
}

}  // namespace loupe::test
