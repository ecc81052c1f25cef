#include "core/torch/random.h"

#include <ATen/CPUGeneratorImpl.h>

namespace loupe {

at::Generator seededGenerator(std::uint64_t seed)
{
    return at::make_generator<at::CPUGeneratorImpl>(seed);
}

torch::Tensor uniform(
    at::IntArrayRef sizes, at::Generator& generator, const torch::TensorOptions& options)
{
    return torch::rand(sizes, generator, torch::TensorOptions().dtype(torch::kFloat32))
        .to(options.device(), options.dtype());
}

torch::Tensor normal(
    at::IntArrayRef sizes, at::Generator& generator, const torch::TensorOptions& options)
{
    return torch::randn(sizes, generator, torch::TensorOptions().dtype(torch::kFloat32))
        .to(options.device(), options.dtype());
}

torch::Tensor integers(int64_t high, at::IntArrayRef sizes, at::Generator& generator,
    const torch::TensorOptions& options)
{
    return torch::randint(high, sizes, generator, torch::TensorOptions().dtype(torch::kLong))
        .to(options.device(), options.dtype());
}

}  // namespace loupe
