#include "core/device.h"
#include "core/thread_budget.h"

#include "core/error.h"

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>

#include <dlfcn.h>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace loupe {
namespace {

// The CUDA runtime is reached through dlsym so that the same code builds against CPU-only
// LibTorch (Debian's) and CUDA LibTorch, with no CUDA headers at compile time.
template <typename Fn> Fn cudaSymbol(const char* library, const char* name)
{
    void* handle = dlopen(library, RTLD_LAZY | RTLD_NOLOAD);
    if (!handle)
        handle = dlopen(library, RTLD_LAZY);
    return handle ? reinterpret_cast<Fn>(dlsym(handle, name)) : nullptr;
}

std::string gpuName()
{
    using InitFn = int (*)(unsigned);
    using NameFn = int (*)(char*, int, int);
    auto init = cudaSymbol<InitFn>("libcuda.so.1", "cuInit");
    auto name = cudaSymbol<NameFn>("libcuda.so.1", "cuDeviceGetName");
    char buffer[256] = {0};
    if (init && name && init(0) == 0 && name(buffer, sizeof buffer, 0) == 0)
        return buffer;
    return "GPU 0";
}

}  // namespace

bool cudaAvailable()
{
    try {
        return torch::cuda::is_available();
    } catch (...) {
        return false;
    }
}

DeviceInfo resolveDevice(DevicePreference preference)
{
    DeviceInfo info;
    info.cuda = preference != DevicePreference::Cpu && cudaAvailable();
    if (preference == DevicePreference::Cuda && !info.cuda)
        info.name = "CPU (" + std::to_string(at::get_num_threads()) +
            " threads; CUDA requested but not available)";
    else if (info.cuda)
        info.name = "CUDA: " + gpuName();
    else
        info.name = "CPU (" + std::to_string(at::get_num_threads()) + " threads)";
    return info;
}

void runWithDefaultAutogradState(const std::function<void()>& body)
{
    // InferenceMode(false) sets gradients on and inference mode off, and restores both (and
    // the dispatch keys) when it goes out of scope.
    const c10::InferenceMode defaults(false);
    body();
}

namespace {

// LibTorch parallelises its CPU ops with OpenMP over every core. Debian's BLAS is OpenBLAS with
// its own pthread pool, whose workers spin on those same cores for a while after each matrix
// product (an einsum, an affine grid, a linear layer): every OpenMP op after it then ran about
// 2x slower (`loupe-cli bench featurevis`: 5.3 -> 7.7 steps/s with OpenBLAS on one thread;
// the bare forward+backward loop 7.3 -> 9.8). The products LibTorch hands to BLAS here are
// small, so one BLAS thread costs nothing. Looked up at run time: other BLAS libraries (MKL in
// the official LibTorch) do not have the symbol, and nothing changes there.
void setBlasThreads(int threads)
{
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set(threads);
}

// 0 when the BLAS in use is not OpenBLAS.
int blasThreads()
{
    using GetThreads = int (*)();
    const auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    return get ? get() : 0;
}

}  // namespace

void configureTorchThreads(int threads)
{
    static bool done = false;
    if (done)
        return;
    done = true;
    const int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(n);
    setBlasThreads(1);
    setThreadBudget(n);
}

ParallelBlasScope::ParallelBlasScope() : previous_(blasThreads())
{
    setBlasThreads(at::get_num_threads());
}

ParallelBlasScope::~ParallelBlasScope()
{
    if (previous_ > 0)
        setBlasThreads(previous_);
}

std::string memoryUsageText(bool cuda)
{
    long pages = 0, resident = 0;
    std::ifstream("/proc/self/statm") >> pages >> resident;
    const double rssMiB = double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
    std::string text = "RAM " + std::to_string(int(rssMiB)) + " MiB";
    if (cuda) {
        using MemFn = int (*)(size_t*, size_t*);
        auto memGetInfo = cudaSymbol<MemFn>("libcudart.so", "cudaMemGetInfo");
        size_t freeBytes = 0, total = 0;
        if (memGetInfo && memGetInfo(&freeBytes, &total) == 0)
            text += ", GPU " + std::to_string((total - freeBytes) >> 20) + " / " +
                std::to_string(total >> 20) + " MiB";
    }
    return text;
}

DevicePreference devicePreferenceFromString(const std::string& text)
{
    if (text == "cpu")
        return DevicePreference::Cpu;
    if (text == "cuda" || text == "gpu")
        return DevicePreference::Cuda;
    if (text.empty() || text == "auto")
        return DevicePreference::Automatic;
    throw Error("unknown device '" + text + "' (use auto, cpu or cuda)");
}

std::string toString(DevicePreference preference)
{
    switch (preference) {
    case DevicePreference::Cpu: return "cpu";
    case DevicePreference::Cuda: return "cuda";
    default: return "auto";
    }
}

}  // namespace loupe
