#include "core/bare_passes.h"

#include "core/torch/model_impl.h"
#include "core/torch/tensor_image.h"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/jit/runtime/graph_executor.h>

#include <algorithm>
#include <chrono>

namespace loupe {
namespace {

double since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

double bareLoadSeconds(const std::string& path)
{
    const auto start = std::chrono::steady_clock::now();
    auto module = torch::jit::load(path, torch::kCPU);
    module.eval();
    return since(start);
}

double bareLoadAndForwardSeconds(Model& model)
{
    const auto device = model.impl().device;
    const int size = model.metadata().input.size;
    const auto start = std::chrono::steady_clock::now();
    auto module = torch::jit::load(model.path(), device);
    module.eval();
    torch::NoGradGuard noGrad;
    // A single run: profiling it for later optimisation would be wasted (Loupe's own real forward skips it too).
    const torch::jit::GraphOptimizerEnabledGuard runOnce(false);
    module.forward({torch::zeros({1, 3, size, size}, torch::TensorOptions().device(device))});
    return since(start);
}

double bareForwardBackwardSeconds(Model& model, const RgbImage& image, int passes)
{
    auto& d = model.impl();
    const auto input = imageToInput(image, d.metadata.input).to(d.device);
    const auto pass = [&] {
        auto x = input.detach().requires_grad_();
        const auto out = firstTensor(d.module.forward({x}));
        const auto g = torch::autograd::grad({out.flatten(1).select(1, 0).sum()}, {x})[0];
        return g.abs().sum().item<float>();  // waits for the device
    };
    for (int i = 0; i < 3; ++i)  // TorchScript's profiling executor specialises on early runs
        pass();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < passes; ++i)
        pass();
    return since(start);
}

double bareTruncatedForwardBackwardSeconds(
    Model& model, const std::string& layer, int size, int passes, int warmUpPasses)
{
    auto& d = model.impl();
    const auto& plan = d.captures.plan(d.module, {{model.layer(layer).path, false}}, false);
    const auto input = torch::rand({1, 3, size, size}).to(d.device);
    const auto pass = [&] {
        auto x = input.detach().requires_grad_();
        const auto act = runCapture(d.module, plan, x).activations.at(0);
        const auto g = torch::autograd::grad({act.mean()}, {x})[0];
        return g.abs().sum().item<float>();
    };
    for (int i = 0; i < warmUpPasses; ++i)
        pass();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < passes; ++i)
        pass();
    return since(start);
}

double bareBatchedForwardBackwardSeconds(Model& model, const RgbImage& image, int count, int batch)
{
    auto& d = model.impl();
    const auto one = imageToInput(image, d.metadata.input).to(d.device);
    const auto pass = [&](int n) {
        auto x = one.expand({n, -1, -1, -1}).contiguous().requires_grad_();
        const auto out = firstTensor(d.module.forward({x}));
        const auto g = torch::autograd::grad({out.flatten(1).select(1, 0).sum()}, {x})[0];
        return g.abs().sum().item<float>();
    };
    pass(std::min(count, batch));
    const auto start = std::chrono::steady_clock::now();
    for (int done = 0; done < count; done += batch)
        pass(std::min(batch, count - done));
    return since(start);
}

double bareForwardSeconds(Model& model, const std::vector<RgbImage>& images, int batch)
{
    auto& d = model.impl();
    std::vector<torch::Tensor> inputs;
    for (const auto& image : images)
        inputs.push_back(imageToInput(image, d.metadata.input));
    // No grad rather than inference mode: the module's one forward method also serves the
    // backward floors, and an executor that has seen both modes refuses inference tensors.
    torch::NoGradGuard noGrad;
    const auto run = [&](size_t first, size_t last) {
        const auto x = torch::cat(
            std::vector<torch::Tensor>(inputs.begin() + long(first), inputs.begin() + long(last)))
                           .to(d.device);
        return firstTensor(d.module.forward({x})).sum().item<float>();
    };
    if (!inputs.empty())
        run(0, std::min(inputs.size(), size_t(batch)));
    const auto start = std::chrono::steady_clock::now();
    for (size_t first = 0; first < inputs.size(); first += size_t(batch))
        run(first, std::min(inputs.size(), first + size_t(batch)));
    return since(start);
}

}  // namespace loupe
