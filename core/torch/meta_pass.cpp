#include "core/torch/meta_pass.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include <string>
#include <tuple>

namespace loupe {
namespace {

// The output size of a convolution along one spatial dimension, as ATen computes it.
int64_t convolutionOutputSize(int64_t input, int64_t kernel, int64_t stride, int64_t padding,
    int64_t dilation, bool transposed, int64_t outputPadding)
{
    if (transposed)
        return (input - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
    return (input + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}

int64_t perDimension(c10::IntArrayRef values, size_t dimension)
{
    return values.size() == 1 ? values[0] : values[dimension];
}

// LibTorch 1.13 sends a convolution on a device it does not know to convolution_overrideable,
// which throws: this is that kernel for the meta device. ATen checks the input against the
// weight before it gets here; the kernel checks again so that it never gives a shape where a
// real convolution would refuse the input, whichever LibTorch calls it.
at::Tensor convolutionOnMeta(const at::Tensor& input, const at::Tensor& weight,
    const c10::optional<at::Tensor>& bias, c10::IntArrayRef stride, c10::IntArrayRef padding,
    c10::IntArrayRef dilation, bool transposed, c10::IntArrayRef outputPadding, int64_t groups)
{
    // A half-precision model given a float image fails on a real device: here too.
    TORCH_CHECK(weight.scalar_type() == input.scalar_type() &&
            (!bias.has_value() || !bias->defined() || bias->scalar_type() == input.scalar_type()),
        "convolution: input of type ", input.scalar_type(), " for weights of type ",
        weight.scalar_type());
    TORCH_CHECK(input.dim() == weight.dim() && input.dim() >= 3, "convolution: input of ",
        input.dim(), " dimensions for a weight of ", weight.dim());
    const int64_t inputChannels = transposed ? weight.size(0) : weight.size(1) * groups;
    TORCH_CHECK(input.size(1) == inputChannels, "convolution: expected ", inputChannels,
        " input channels, got ", input.size(1));
    std::vector<int64_t> sizes{
        input.size(0), transposed ? weight.size(1) * groups : weight.size(0)};
    for (int64_t d = 2; d < input.dim(); ++d) {
        const auto i = size_t(d - 2);
        const int64_t size = convolutionOutputSize(input.size(d), weight.size(d),
            perDimension(stride, i), perDimension(padding, i), perDimension(dilation, i),
            transposed, transposed ? perDimension(outputPadding, i) : 0);
        TORCH_CHECK(size > 0, "convolution: the input is too small for the kernel");
        sizes.push_back(size);
    }
    return at::empty(sizes, input.options());
}

// Elementwise activations: the shape of their input.
at::Tensor sameShapeOnMeta(const at::Tensor& x)
{
    return at::empty_like(x);
}

at::Tensor hardtanhOnMeta(const at::Tensor& x, const at::Scalar&, const at::Scalar&)
{
    return at::empty_like(x);
}

// Batch norm (ResNet, MobileNet, DenseNet...): the input's shape, and the saved statistics a
// real one returns (per channel when training, empty otherwise).
std::tuple<at::Tensor, at::Tensor, at::Tensor> batchNormOnMeta(const at::Tensor& input,
    const c10::optional<at::Tensor>& weight, const c10::optional<at::Tensor>& bias,
    const c10::optional<at::Tensor>& runningMean, const c10::optional<at::Tensor>& runningVar,
    bool training, double, double)
{
    TORCH_CHECK(input.dim() >= 2, "batch_norm: input of ", input.dim(), " dimensions");
    for (const auto* perChannel : {&weight, &bias, &runningMean, &runningVar})
        TORCH_CHECK(!perChannel->has_value() || !(*perChannel)->defined() ||
                (*perChannel)->numel() == input.size(1),
            "batch_norm: ", input.size(1), " channels, but parameters for another count");
    const int64_t statistics = training ? input.size(1) : 0;
    return {at::empty_like(input), at::empty({statistics}, input.options()),
        at::empty({statistics}, input.options())};
}

// Adaptive average pooling to a size other than 1x1 (AlexNet's and VGG's 6x6 or 7x7).
at::Tensor adaptiveAveragePoolOnMeta(const at::Tensor& input, c10::SymIntArrayRef outputSize)
{
    const auto size = c10::asIntArrayRefSlow(outputSize);
    TORCH_CHECK((input.dim() == 3 || input.dim() == 4) && size.size() == 2,
        "adaptive_avg_pool2d: input of ", input.dim(), " dimensions");
    auto sizes = input.sizes().vec();
    sizes[sizes.size() - 2] = size[0];
    sizes[sizes.size() - 1] = size[1];
    return at::empty(sizes, input.options());
}

bool lacksMetaKernel(const char* op)
{
    const auto handle = c10::Dispatcher::singleton().findOp({op, ""});
    return handle && !handle->hasKernelForDispatchKey(c10::DispatchKey::Meta);
}

// The kernels common image CNNs miss on the meta device in LibTorch 1.13 (the other ops of
// GoogLeNet, SqueezeNet, ResNet, VGG, AlexNet and MobileNet have one: checked op by op). A
// LibTorch that has its own keeps them; one that declines a registration (another signature)
// leaves that op without, and models that use it get a real forward.
void registerMissingMetaKernels()
{
    // Never destroyed: a registration removed at exit could race the dispatcher's teardown.
    auto* library = new torch::Library(
        torch::Library::IMPL, "aten", c10::DispatchKey::Meta, __FILE__, __LINE__);
    const auto add = [&](const char* op, auto kernel) {
        if (!lacksMetaKernel((std::string("aten::") + op).c_str()))
            return;
        try {
            library->impl(op, kernel);
        } catch (const std::exception&) {
            // left without: the meta pass declines models that use it
        }
    };
    add("convolution_overrideable", TORCH_FN(convolutionOnMeta));
    add("relu", TORCH_FN(sameShapeOnMeta));
    add("hardswish", TORCH_FN(sameShapeOnMeta));
    add("hardtanh", TORCH_FN(hardtanhOnMeta));  // also ReLU6
    add("native_batch_norm", TORCH_FN(batchNormOnMeta));
    add("_adaptive_avg_pool2d", TORCH_FN(adaptiveAveragePoolOnMeta));
}

// Registered once, as the program starts, before any thread runs a model: op calls read the
// dispatcher's tables without a lock (a model can open while the built-in one trains). Nothing
// may throw before main: without the kernels, every model gets a real forward.
[[maybe_unused]] const bool metaKernelsRegisteredAtStart = [] {
    try {
        registerMissingMetaKernels();
        return true;
    } catch (...) {
        return false;
    }
}();

// Every tensor the module holds swapped for a meta twin while this lives.
class MetaTwins {
public:
    explicit MetaTwins(torch::jit::Module& root)
    {
        try {
            for (const auto& module : root.modules()) {
                const auto object = module._ivalue();
                for (size_t slot = 0; slot < object->type()->numAttributes(); ++slot) {
                    const auto& value = object->getSlot(slot);
                    if (!value.isTensor() || !value.toTensor().defined())
                        continue;
                    // throws for a tensor with no meta twin (a quantized one)
                    auto twin = value.toTensor().to(torch::kMeta);
                    saved_.push_back({object, slot, value.toTensor()});
                    object->setSlot(slot, std::move(twin));
                }
            }
        } catch (...) {
            restore();  // a constructor that throws gets no destructor call
            throw;
        }
    }
    ~MetaTwins() { restore(); }
    MetaTwins(const MetaTwins&) = delete;
    MetaTwins& operator=(const MetaTwins&) = delete;

private:
    void restore()
    {
        for (const auto& s : saved_)
            s.object->setSlot(s.slot, s.tensor);
    }

    struct Saved {
        c10::intrusive_ptr<c10::ivalue::Object> object;
        size_t slot;
        torch::Tensor tensor;
    };
    std::vector<Saved> saved_;
};

}  // namespace

std::optional<CaptureResult> runCaptureOnMeta(
    torch::jit::Module& root, const CapturePlan& plan, int inputSize)
{
    try {
        torch::NoGradGuard noGrad;
        const MetaTwins twins(root);
        return runCapture(root, plan,
            torch::zeros(
                {1, 3, inputSize, inputSize}, torch::TensorOptions().device(torch::kMeta)));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace loupe
