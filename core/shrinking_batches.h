#pragma once

#include <exception>
#include <functional>

namespace loupe {

// True for an allocator's out-of-memory error (CUDA's "CUDA out of memory", c10's
// OutOfMemoryError, or the CPU allocator's).
bool isOutOfMemory(const std::exception& error);

// Calls body(start, count) for consecutive chunks covering [0, total), each at most `batch`
// long. A chunk that runs out of memory is retried at half the size (down to 1); `batch`
// keeps the size that fitted, so the caller's next job starts there instead of failing again.
// Bodies must be retryable: nothing of a failed chunk may have been kept.
void forEachShrinkingBatch(
    int total, int& batch, const std::function<void(int start, int count)>& body);

}  // namespace loupe
