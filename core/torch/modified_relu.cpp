#include "core/torch/modified_relu.h"

#include "core/error.h"

#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/library.h>

namespace loupe {
namespace {

class GuidedRelu : public torch::autograd::Function<GuidedRelu> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x)
    {
        at::AutoDispatchBelowADInplaceOrView guard;
        auto y = x.relu();
        ctx->save_for_backward({x});
        return y;
    }
    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads)
    {
        const auto x = ctx->get_saved_variables()[0];
        return {grads[0] * (x > 0).to(grads[0].scalar_type()) *
            (grads[0] > 0).to(grads[0].scalar_type())};
    }
};

class DeconvRelu : public torch::autograd::Function<DeconvRelu> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext*, const torch::Tensor& x)
    {
        at::AutoDispatchBelowADInplaceOrView guard;
        return x.relu();
    }
    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext*, torch::autograd::variable_list grads)
    {
        return {grads[0].relu()};
    }
};

// Nested blocks too: a scripted nn.ReLU keeps `if inplace: relu_ else: relu` after inlining.
void collectRelus(torch::jit::Block* block, std::vector<torch::jit::Node*>& relus)
{
    for (auto* node : block->nodes()) {
        if (node->kind() == torch::jit::aten::relu || node->kind() == torch::jit::aten::relu_)
            relus.push_back(node);
        for (auto* inner : node->blocks())
            collectRelus(inner, relus);
    }
}

torch::Tensor guidedReluForward(const torch::Tensor& x)
{
    return x.relu();
}
torch::Tensor guidedReluAutograd(const torch::Tensor& x)
{
    return GuidedRelu::apply(x);
}
torch::Tensor deconvReluAutograd(const torch::Tensor& x)
{
    return DeconvRelu::apply(x);
}

}  // namespace
}  // namespace loupe

TORCH_LIBRARY(loupe, m)
{
    m.def("guided_relu(Tensor x) -> Tensor");
    m.def("deconv_relu(Tensor x) -> Tensor");
}

TORCH_LIBRARY_IMPL(loupe, CompositeExplicitAutograd, m)
{
    m.impl("guided_relu", loupe::guidedReluForward);
    m.impl("deconv_relu", loupe::guidedReluForward);
}

TORCH_LIBRARY_IMPL(loupe, Autograd, m)
{
    m.impl("guided_relu", loupe::guidedReluAutograd);
    m.impl("deconv_relu", loupe::deconvReluAutograd);
}

namespace loupe {

int applyReluRule(torch::jit::Graph& graph, ReluRule rule)
{
    if (rule == ReluRule::Plain)
        return 0;
    torch::jit::Inline(graph);
    const auto replacement = c10::Symbol::fromQualString(
        rule == ReluRule::GuidedBackprop ? "loupe::guided_relu" : "loupe::deconv_relu");
    std::vector<torch::jit::Node*> relus;
    collectRelus(graph.block(), relus);
    for (auto* node : relus) {
        torch::jit::WithInsertPoint guard(node);
        auto* modified = graph.insert(replacement, {node->input(0)});
        // relu_ wrote into its input; later readers of that input must see the rectified value.
        if (node->kind() == torch::jit::aten::relu_)
            node->input(0)->replaceAllUsesAfterNodeWith(node, modified);
        node->output()->replaceAllUsesWith(modified);
        node->destroy();
    }
    return int(relus.size());
}

}  // namespace loupe
