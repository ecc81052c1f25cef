#include "core/torch/modified_relu.h"

#include "core/error.h"

#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/jit/api/function_impl.h>
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
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads)
    {
        const auto x = ctx->get_saved_variables()[0];
        return {grads[0] * (x > 0).to(grads[0].scalar_type()) * (grads[0] > 0).to(grads[0].scalar_type())};
    }
};

class DeconvRelu : public torch::autograd::Function<DeconvRelu> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext*, const torch::Tensor& x)
    {
        at::AutoDispatchBelowADInplaceOrView guard;
        return x.relu();
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext*, torch::autograd::variable_list grads)
    {
        return {grads[0].relu()};
    }
};

torch::Tensor guidedReluForward(const torch::Tensor& x) { return x.relu(); }
torch::Tensor guidedReluAutograd(const torch::Tensor& x) { return GuidedRelu::apply(x); }
torch::Tensor deconvReluAutograd(const torch::Tensor& x) { return DeconvRelu::apply(x); }

} // namespace
} // namespace loupe

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

std::string modifiedReluMethod(torch::jit::Module& root, ReluRule rule)
{
    const std::string name = rule == ReluRule::GuidedBackprop ? "__loupe_guided_forward" : "__loupe_deconv_forward";
    if (root.find_method(name))
        return name;
    auto graph = torch::jit::toGraphFunction(root.get_method("forward").function()).graph()->copy();
    torch::jit::Inline(*graph);  // the ReLUs live inside submodules' forwards
    const auto replacement = c10::Symbol::fromQualString(rule == ReluRule::GuidedBackprop ? "loupe::guided_relu" : "loupe::deconv_relu");
    std::vector<torch::jit::Node*> relus;
    for (auto* node : graph->nodes())  // top level: after inlining, straight-line forwards
        if (node->kind() == torch::jit::aten::relu || node->kind() == torch::jit::aten::relu_)
            relus.push_back(node);
    if (relus.empty())
        throw Error("this model has no ReLU (aten::relu) in its forward, so guided backprop / deconvnet do not apply");
    for (auto* node : relus) {
        torch::jit::WithInsertPoint guard(node);
        auto* modified = graph->insert(replacement, {node->input(0)});
        // relu_ wrote into its input; later readers of that input must see the rectified value.
        if (node->kind() == torch::jit::aten::relu_)
            node->input(0)->replaceAllUsesAfterNodeWith(node, modified);
        node->output()->replaceAllUsesWith(modified);
        node->destroy();
    }
    auto type = root.type();
    auto* fn = root._ivalue()->compilation_unit()->create_function(c10::QualifiedName(*type->name(), name), graph);
    type->addMethod(fn);
    return name;
}

} // namespace loupe
