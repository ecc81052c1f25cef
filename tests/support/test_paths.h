#pragma once

#include <QString>

namespace loupe::test {

// ../shared/data when present (models and photos provided by the team), else empty.
QString sharedDataDirectory();
QString cliPath();

}  // namespace loupe::test
