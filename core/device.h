#pragma once

#include <functional>
#include <string>

namespace loupe {

enum class DevicePreference { Automatic, Cpu, Cuda };

struct DeviceInfo {
    bool cuda = false;
    std::string name;  // "CPU (2 threads)" or "CUDA: NVIDIA H100 80GB HBM3"
};

// What a preference resolves to on this machine and LibTorch build (CUDA only when available).
DeviceInfo resolveDevice(DevicePreference preference);
bool cudaAvailable();

// Sets LibTorch's intra-op threads once (it starts with 1 here); 0 = all cores.
void configureTorchThreads(int threads = 0);

// OpenBLAS (Debian's BLAS) keeps one thread, for the reason in configureTorchThreads; code
// made of large matrix products (dictionary training, NMF, the atlas layout), where its own
// threads pay, holds one of these to let it use as many threads as LibTorch does meanwhile.
// Scopes nest: each gives back the count it found.
class ParallelBlasScope {
public:
    ParallelBlasScope();
    ~ParallelBlasScope();
    ParallelBlasScope(const ParallelBlasScope&) = delete;
    ParallelBlasScope& operator=(const ParallelBlasScope&) = delete;

private:
    int previous_;
};

// Runs `body` with this thread's autograd state at LibTorch's defaults (gradients on, inference
// mode off) and restores the caller's afterwards. A job that runs inside another job's step
// (pre-emption) must not inherit that job's NoGradGuard or InferenceMode.
void runWithDefaultAutogradState(const std::function<void()>& body);

// Memory in use: process resident set, plus device memory when CUDA is active.
std::string memoryUsageText(bool cuda);

DevicePreference devicePreferenceFromString(const std::string& text);  // "auto"|"cpu"|"cuda"
std::string toString(DevicePreference preference);

}  // namespace loupe
