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

// Runs `body` with this thread's autograd state at LibTorch's defaults (gradients on, inference
// mode off) and restores the caller's afterwards. A job that runs inside another job's step
// (pre-emption) must not inherit that job's NoGradGuard or InferenceMode.
void runWithDefaultAutogradState(const std::function<void()>& body);

// Memory in use: process resident set, plus device memory when CUDA is active.
std::string memoryUsageText(bool cuda);

DevicePreference devicePreferenceFromString(const std::string& text);  // "auto"|"cpu"|"cuda"
std::string toString(DevicePreference preference);

}  // namespace loupe
