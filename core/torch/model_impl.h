#pragma once
// Internal: the torch side of loupe::Model. Included only by core/ .cpp files and by tests
// that need tensors (gradient checks); never by widgets/ or app/.

#include <torch/script.h>

#include "core/model.h"
#include "core/torch/capture.h"

#include <map>
#include <mutex>

namespace loupe {

struct Model::Impl {
    std::string path;
    std::string hash;
    ModelMetadata metadata;
    std::vector<LayerInfo> layers;
    DeviceInfo deviceInfo;
    torch::Device device{torch::kCPU};
    torch::jit::Module module;
    int numClasses = 0;
    CaptureCache captures;
};

// Converts whatever forward returns (tensor, tuple, named tuple, list) into its first tensor.
torch::Tensor firstTensor(const c10::IValue& value);

}  // namespace loupe
