#include "core/torch/target_function.h"

#include "core/error.h"
#include "core/torch/model_impl.h"

namespace loupe {

TargetFunction::TargetFunction(Model& model, const AttributionTarget& target,
    const std::vector<std::string>& extraLayers, ReluRule reluRule)
    : model_(model), target_(target)
{
    auto& d = model.impl();
    if (target.isInternal()) {
        const LayerInfo& layer = model.layer(target.layer);
        if (!layer.addressable)
            throw Error("layer '" + layer.path + "' cannot be captured: " + layer.note);
        if (target.kind == AttributionTarget::Kind::Unit &&
            (target.index < 0 || target.index >= layer.channels()))
            throw Error("channel " + std::to_string(target.index) + " is out of range for '" +
                layer.path + "'");
        if (target.kind == AttributionTarget::Kind::Concept &&
            int64_t(target.direction.size()) != layer.channels())
            throw Error(target.direction.empty() ? "concept target '" + target.toString() +
                        "' has no direction: its "
                        "dictionary was not read from the workspace"
                                                 : "the concept's direction has " +
                        std::to_string(target.direction.size()) + " weights; '" + layer.path +
                        "' has " + std::to_string(layer.channels()) + " channels");
        if (target.x >= 0 && !layer.isSpatial())
            throw Error("'" + layer.path + "' has no spatial positions");
        if (target.x >= 0 &&
            (target.x >= layer.shape[2] || target.y >= layer.shape[1] || target.y < 0))
            throw Error("position (" + std::to_string(target.x) + ", " + std::to_string(target.y) +
                ") is outside '" + layer.path + "', which is " + std::to_string(layer.shape[2]) +
                " x " + std::to_string(layer.shape[1]));
        requests_.push_back({layer.path, false});
    } else {
        if (model.numClasses() == 0)
            throw Error("this model has no classifier output to attribute");
        if (target.index < 0 || target.index >= model.numClasses())
            throw Error("class " + std::to_string(target.index) +
                " is out of range (the model has " + std::to_string(model.numClasses()) +
                " classes)");
    }
    extraIndex_ = int(requests_.size());
    for (const auto& extra : extraLayers)
        requests_.push_back({model.layer(extra).path, false});
    plan_ = &d.captures.plan(d.module, requests_, !target.isInternal(), reluRule);
}

TargetFunction::Output TargetFunction::operator()(const torch::Tensor& input) const
{
    auto& d = model_.impl();
    const auto r = runCapture(d.module, *plan_, input);
    Output out;
    if (target_.kind == AttributionTarget::Kind::Layer) {
        out.value = r.activations[0].flatten(1).mean(1);
    } else if (target_.kind == AttributionTarget::Kind::Concept) {
        const auto& act = r.activations[0];
        std::vector<int64_t> shape(size_t(act.dim()), 1);
        shape[1] = act.size(1);
        const auto direction =
            torch::tensor(target_.direction).to(act.device(), act.scalar_type()).view(shape);
        out.value = (act * direction).sum(1).flatten(1).mean(1);
    } else if (target_.kind == AttributionTarget::Kind::Unit) {
        auto act = r.activations[0];
        if (act.dim() == 2)
            out.value = act.select(1, target_.index);
        else if (target_.x >= 0)
            out.value = act.select(1, target_.index)
                            .select(1, std::min<int64_t>(target_.y, act.size(2) - 1))
                            .select(1, std::min<int64_t>(target_.x, act.size(3) - 1));
        else
            out.value = act.select(1, target_.index).mean(c10::IntArrayRef{1, 2});
    } else {
        out.value = target_.kind == AttributionTarget::Kind::Logit
            ? r.modelOutput.select(1, target_.index)
            : torch::softmax(r.modelOutput, 1).select(1, target_.index);
    }
    for (size_t i = size_t(extraIndex_); i < r.activations.size(); ++i)
        out.extras.push_back(r.activations[i]);
    return out;
}

}  // namespace loupe
