#pragma once
// What the timing commands share: seconds since a start, medians of repeated timings, and
// `--busy N`.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace loupe::cli {

inline double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The middle of repeated timings: a 2-core machine's runs wander by +-20 %.
inline double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// N threads spinning on the CPU while a benchmark runs, so the figures with a busy machine
// (LibTorch's OpenMP threads competing for cores) are measured.
class BusyLoad {
public:
    explicit BusyLoad(int threads)
    {
        for (int i = 0; i < threads; ++i)
            threads_.emplace_back([this] {
                volatile unsigned long long n = 0;
                while (!stop_.load(std::memory_order_relaxed))
                    n = n + 1;
            });
    }
    ~BusyLoad()
    {
        stop_ = true;
        for (auto& t : threads_)
            t.join();
    }
    BusyLoad(const BusyLoad&) = delete;
    BusyLoad& operator=(const BusyLoad&) = delete;

private:
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
};

}  // namespace loupe::cli
