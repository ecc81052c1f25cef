#include "core/error.h"
#include "core/progress.h"

namespace loupe {

std::string firstLine(const std::string& message)
{
    // A TorchScript failure starts with "The following operation failed in the TorchScript
    // interpreter" and two tracebacks; what went wrong is the last line ("RuntimeError: ...").
    if (message.rfind("The following operation failed in the TorchScript interpreter", 0) == 0) {
        const auto at = message.rfind("Error: ");
        if (at != std::string::npos) {
            const auto start = message.rfind('\n', at);
            return firstLine(message.substr(start == std::string::npos ? 0 : start + 1));
        }
    }
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

}  // namespace loupe
