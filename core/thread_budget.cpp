#include "core/thread_budget.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace loupe {
namespace {

std::atomic<int> gBudget{0};

}  // namespace

int threadBudget()
{
    const int set = gBudget.load();
    return set > 0 ? set : int(std::max(1u, std::thread::hardware_concurrency()));
}

void setThreadBudget(int threads)
{
    gBudget = std::max(1, threads);
}

}  // namespace loupe
