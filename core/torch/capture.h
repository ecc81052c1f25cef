#pragma once
// Internal: activation capture by TorchScript graph surgery (see capture.cpp for the recipe).

#include "core/shrinking_batches.h"
#include "core/torch/modified_relu.h"

#include <torch/script.h>

#include <map>
#include <string>
#include <vector>

namespace loupe {

struct CaptureRequest {
    std::string layer;  // module path
    bool preRelu = false;  // value before the layer's final ReLU (per channel, through concats)
    bool input = false;  // the module's input instead of its output
};

struct CaptureResult {
    std::vector<torch::Tensor> activations;  // one per request, NxCx... (in the autograd graph)
    torch::Tensor modelOutput;  // first tensor of forward's output, if requested
};

// A compiled capture: a method added to the root module's type that returns the requested
// values (and optionally the model output) as a tuple.
struct CapturePlan {
    std::string methodName;
    std::vector<int> partsPerRequest;  // pre-ReLU of a concat block has several parts
    std::vector<std::vector<std::string>> partSources;  // module path that produced each part
    bool withModelOutput = false;
    ReluRule reluRule = ReluRule::Plain;
    int modifiedRelus = 0;  // ReLUs the rule replaced on the way to the returned values
};

// Builds the method (graph surgery) or throws loupe::Error saying which layer cannot be
// captured and why. Adds a method to root's type only. A ReLU rule other than Plain changes
// the backward pass of every ReLU left in the (cut) graph: guided backprop and deconvnet to
// any target.
CapturePlan compileCapture(torch::jit::Module& root, const std::vector<CaptureRequest>& requests,
    bool withModelOutput, ReluRule reluRule = ReluRule::Plain);

// The forward pass with one layer's output replaced by a given tensor (a reconstruction
// through a concept dictionary, an ablation): a method (x, replacement) -> the model output.
struct PatchPlan {
    std::string methodName;
};
PatchPlan compilePatch(torch::jit::Module& root, const std::string& layer);

// For a model's first open: one surgery finds why each path cannot be captured (`problems`,
// empty string: it can; the layer browser shows the reasons) and returns a plan of the
// capturable ones, in order, with the model output. Throws when no path can be captured.
CapturePlan compileCaptureOfAll(torch::jit::Module& root, const std::vector<std::string>& paths,
    std::map<std::string, std::string>& problems);

// Compiled plans keyed by their requests, so repeated captures pay the surgery once.
class CaptureCache {
public:
    const CapturePlan& plan(torch::jit::Module& root, const std::vector<CaptureRequest>& requests,
        bool withModelOutput, ReluRule reluRule = ReluRule::Plain);
    const PatchPlan& patch(torch::jit::Module& root, const std::string& layer);
    void clear()
    {
        plans_.clear();
        patches_.clear();
    }

private:
    std::map<std::string, CapturePlan> plans_;
    std::map<std::string, PatchPlan> patches_;
};

CaptureResult runCapture(
    torch::jit::Module& root, const CapturePlan& plan, const torch::Tensor& input);

// The same for a batch, retried in halves when the device runs out of memory (GPU OOM: retry
// smaller). `maxBatch` remembers the size that fits for the caller's next batches (0: all).
// The results are concatenated along the batch; other errors propagate.
CaptureResult runCaptureInChunks(
    torch::jit::Module& root, const CapturePlan& plan, const torch::Tensor& input, int& maxBatch);

// The model's output (its first tensor) with the patched layer reading `replacement`, which
// must have the layer's output shape for the batch of `input`.
torch::Tensor runPatch(torch::jit::Module& root, const PatchPlan& plan, const torch::Tensor& input,
    const torch::Tensor& replacement);

}  // namespace loupe
