#include "core/shrinking_batches.h"

#include <algorithm>
#include <string>

namespace loupe {

bool isOutOfMemory(const std::exception& error)
{
    const std::string what = error.what();
    return what.find("out of memory") != std::string::npos ||
        what.find("OutOfMemory") != std::string::npos;
}

void forEachShrinkingBatch(int total, int& batch, const std::function<void(int, int)>& body)
{
    batch = std::max(1, batch);
    for (int start = 0; start < total;) {
        const int count = std::min(batch, total - start);
        try {
            body(start, count);
            start += count;
        } catch (const std::exception& e) {
            if (!isOutOfMemory(e) || count == 1)
                throw;
            batch = std::max(1, count / 2);
        }
    }
}

}  // namespace loupe
