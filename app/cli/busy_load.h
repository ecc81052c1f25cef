#pragma once
// `bench ... --busy N`: N threads spinning on the CPU while a benchmark runs, so the figures
// with a busy machine (LibTorch's OpenMP threads competing for cores) are measured.

#include <atomic>
#include <thread>
#include <vector>

namespace loupe::cli {

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
