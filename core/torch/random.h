#pragma once
// Internal: seeded random numbers without the process-wide generator. Each seeded library call
// draws from a generator of its own, so no call changes another's results (or the caller's
// own torch::rand sequence). Drawn on the CPU and moved to the device: the same seed gives the
// same numbers on a CPU and on a GPU.

#include <torch/script.h>

#include <cstdint>

namespace loupe {

at::Generator seededGenerator(std::uint64_t seed);

// Uniform in [0, 1), standard normal, and integers in [0, high), shaped `sizes`, on `options`.
torch::Tensor uniform(
    at::IntArrayRef sizes, at::Generator& generator, const torch::TensorOptions& options);
torch::Tensor normal(
    at::IntArrayRef sizes, at::Generator& generator, const torch::TensorOptions& options);
torch::Tensor integers(int64_t high, at::IntArrayRef sizes, at::Generator& generator,
    const torch::TensorOptions& options);

}  // namespace loupe
