#include "core/error.h"
#include "core/progress.h"

namespace loupe {

std::string firstLine(const std::string& message)
{
    const auto end = message.find('\n');
    std::string line = end == std::string::npos ? message : message.substr(0, end);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r'))
        line.pop_back();
    return line;
}

void Progress::checkCancelled() const
{
    if (isCancelled())
        throw Cancelled();
}

} // namespace loupe
