#include "core/torch/meta_pass.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include <mutex>

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
    const c10::optional<at::Tensor>& /*bias*/, c10::IntArrayRef stride, c10::IntArrayRef padding,
    c10::IntArrayRef dilation, bool transposed, c10::IntArrayRef outputPadding, int64_t groups)
{
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

at::Tensor reluOnMeta(const at::Tensor& x)
{
    return at::empty_like(x);
}

bool lacksMetaKernel(const char* op)
{
    const auto handle = c10::Dispatcher::singleton().findOp({op, ""});
    return handle && !handle->hasKernelForDispatchKey(c10::DispatchKey::Meta);
}

// The two kernels a classifier CNN's forward misses on the meta device in LibTorch 1.13; a
// LibTorch that has its own keeps them.
void registerMissingMetaKernels()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Never destroyed: a registration removed at exit could race the dispatcher's teardown.
        auto* library = new torch::Library(
            torch::Library::IMPL, "aten", c10::DispatchKey::Meta, __FILE__, __LINE__);
        if (lacksMetaKernel("aten::convolution_overrideable"))
            library->impl("convolution_overrideable", TORCH_FN(convolutionOnMeta));
        if (lacksMetaKernel("aten::relu"))
            library->impl("relu", TORCH_FN(reluOnMeta));
    });
}

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
    registerMissingMetaKernels();
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
