// Activation capture without hooks: LibTorch has no forward hooks, so we rewrite the graph.
//
// Recipe (verified on traced and scripted models, see DESIGN.md):
//  1. Copy `forward`'s graph. Inline the methods the root calls on itself (e.g. `_forward`).
//  2. For a layer path a.b.c, find the `prim::CallMethod[name="forward"]` whose object is
//     `prim::GetAttr[name="a"](self)`; inline that call one level (using the callee's
//     unoptimised graph), then look for `b` inside it, and so on. The call of the last part
//     produces the layer's output.
//  3. `self.training` is folded to false and constants propagated before the calls of an
//     inlined body are searched (once per level of the module tree when many layers are
//     asked for at once), so train-only branches disappear and eval-mode code is straight-line.
//  4. Every value we care about is registered as a graph output at once: graph passes keep
//     uses up to date, so a tracked value survives later inlining and folding.
//  5. Downstream of a captured value the network reads a clone made where it is produced, so
//     an in-place ReLU later cannot overwrite the pre-activation we return, while gradients of
//     later values still reach it (Grad-CAM).
//  6. The new graph returns only the captured values (plus, optionally, the model output);
//     dead-code elimination then cuts away every layer after the deepest one requested.
//  7. The graph is added as a new method on the root module's type (never on a submodule's:
//     scripted types are shared between instances).
// Limits: a module called inside a loop or a data-dependent `if`, a module called twice, and
// functional ops outside modules cannot be addressed; compileCapture says so by name.

#include "core/torch/capture.h"

#include "core/error.h"
#include "core/torch/model_impl.h"

#include <algorithm>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>

#include <atomic>
#include <set>
#include <sstream>

namespace loupe {
namespace {

using torch::jit::Graph;
using torch::jit::Node;
using torch::jit::Value;
namespace attr = torch::jit::attr;
namespace prim = torch::jit::prim;
namespace aten = torch::jit::aten;

std::atomic<int> gMethodCounter{0};

std::string parentOf(const std::string& path)
{
    const auto dot = path.rfind('.');
    return dot == std::string::npos ? std::string() : path.substr(0, dot);
}

std::string lastPart(const std::string& path)
{
    const auto dot = path.rfind('.');
    return dot == std::string::npos ? path : path.substr(dot + 1);
}

bool isReluModule(const Value* object)
{
    const auto cls = object->type()->cast<c10::ClassType>();
    return cls && cls->name() && cls->name()->name() == "ReLU";
}

class GraphSurgeon {
public:
    explicit GraphSurgeon(torch::jit::Module& root) : root_(root)
    {
        graph_ = torch::jit::toGraphFunction(root.get_method("forward").function()).graph()->copy();
        originalOutputs_ = graph_->outputs().size();
        objects_[""] = graph_->inputs()[0];
        simplify(graph_->inputs()[0]);
    }

    // Inlines the parents of `paths`, shallowest first. Constant propagation over the whole
    // graph is what a fresh inline needs before its calls can be found; done per parent it
    // was 85 % of a first open's surgery (67 passes for GoogLeNet). Level by level, one pass
    // serves every parent of a level. A parent that cannot be inlined is left for outputOf to
    // report against the layer asked for.
    void inlineParentsOf(const std::vector<std::string>& paths)
    {
        std::map<size_t, std::set<std::string>> parentsByDepth;
        for (const auto& path : paths)
            for (std::string p = parentOf(path); !p.empty(); p = parentOf(p))
                parentsByDepth[size_t(std::count(p.begin(), p.end(), '.'))].insert(p);
        for (const auto& [depth, parents] : parentsByDepth)
            for (const auto& parent : parents) {
                try {
                    ensureInlined(parent);
                } catch (const std::exception&) {
                }
            }
    }

    // The output value of module `path` (tracked; index into graph outputs).
    size_t outputOf(const std::string& path)
    {
        if (auto it = tracked_.find(path); it != tracked_.end())
            return it->second;
        const std::string parent = parentOf(path);
        ensureInlined(parent);
        Node* call = findCall(objects_.at(parent), lastPart(path), path);
        objects_[path] = call->input(0);
        const size_t index = track(call->output());
        tracked_[path] = index;
        if (call->inputs().size() >= 2)
            trackedInputs_[path] = track(call->input(1));
        return index;
    }

    // The (first) argument the module was called with.
    size_t inputOf(const std::string& path)
    {
        outputOf(path);
        const auto it = trackedInputs_.find(path);
        if (it == trackedInputs_.end())
            throw Error("layer '" + path + "' is called without an input tensor");
        return it->second;
    }

    // Values before the layer's final ReLU; several when the layer ends in a concatenation.
    std::vector<size_t> preReluOf(const std::string& path, std::vector<std::string>& sources)
    {
        const size_t out = outputOf(path);
        std::vector<size_t> parts;
        resolvePreRelu(out, path, parts, sources, 0);
        return parts;
    }

    Value* value(size_t index) const { return graph_->outputs()[index]; }

    CapturePlan finish(const std::vector<std::vector<size_t>>& requested, bool withModelOutput,
        std::vector<std::vector<std::string>> sources, ReluRule reluRule)
    {
        propagateConstants();
        std::vector<Value*> results;
        CapturePlan plan;
        for (const auto& parts : requested) {
            for (size_t index : parts)
                results.push_back(value(index));
            plan.partsPerRequest.push_back(int(parts.size()));
        }
        std::set<Value*> detoured;
        for (Value* v : results)
            if (detoured.insert(v).second)
                detourDownstreamThroughClone(v);
        if (withModelOutput)
            for (size_t i = 0; i < originalOutputs_; ++i)
                results.push_back(value(i));

        Node* tuple = graph_->insertNode(graph_->createTuple(results));
        while (!graph_->outputs().empty())
            graph_->eraseOutput(graph_->outputs().size() - 1);
        graph_->registerOutput(tuple->output());
        // The model's own checks (an `if ...: raise`) up to the deepest returned value still run:
        // a capture must refuse what the model refuses. Checks after it are cut with the rest.
        lastProducer_ = graph_->block()->param_node();
        for (Value* v : results)
            if (lastProducer_->isBefore(v->node()))
                lastProducer_ = v->node();
        // The default policy keeps side effects (those checks, but also every module call);
        // removeUnusedModuleCalls then deletes unused calls from the end: this is what cuts
        // the network after the deepest layer.
        torch::jit::EliminateDeadCode(graph_);
        removeUnusedModuleCalls();
        // After the cut: only the ReLUs between the input and the returned values change.
        plan.reluRule = reluRule;
        plan.modifiedRelus = applyReluRule(*graph_, reluRule);

        plan.methodName = "__loupe_capture_" + std::to_string(gMethodCounter++);
        plan.withModelOutput = withModelOutput;
        plan.partSources = std::move(sources);
        auto type = root_.type();
        auto cu = root_._ivalue()->compilation_unit();
        auto* fn = cu->create_function(c10::QualifiedName(*type->name(), plan.methodName), graph_);
        type->addMethod(fn);
        return plan;
    }

    // A method (self, x, replacement) returning forward's output, in which the rest of the
    // network reads `replacement` instead of the layer's output. What fed only that layer is
    // cut away, so the method costs the part of the network after the layer.
    std::string finishPatch(size_t index)
    {
        propagateConstants();
        Value* original = value(index);
        // A new input is a tensor by default (setType would pull in c10::DynamicType's
        // typeinfo, which Debian's LibTorch does not export: the sanitizer build's link fails).
        Value* replacement = graph_->addInput("replacement");
        while (graph_->outputs().size() > originalOutputs_)
            graph_->eraseOutput(graph_->outputs().size() - 1);
        original->replaceAllUsesWith(replacement);
        lastProducer_ = graph_->return_node();  // the model's own checks all stay
        torch::jit::EliminateDeadCode(graph_);
        removeUnusedModuleCalls();
        const std::string name = "__loupe_patch_" + std::to_string(gMethodCounter++);
        auto type = root_.type();
        auto* fn = root_._ivalue()->compilation_unit()->create_function(
            c10::QualifiedName(*type->name(), name), graph_);
        type->addMethod(fn);
        return name;
    }

private:
    size_t track(Value* v)
    {
        graph_->registerOutput(v);
        return graph_->outputs().size() - 1;
    }

    void ensureInlined(const std::string& path)
    {
        if (path.empty() || inlined_.count(path))
            return;
        const size_t index = outputOf(path);
        Node* call = value(index)->node();
        Value* object = objects_.at(path);
        inlineCall(call);
        inlined_.insert(path);
        simplify(object);
    }

    void inlineCall(Node* call)
    {
        const auto cls = call->input(0)->type()->expect<c10::ClassType>();
        auto& fn = torch::jit::toGraphFunction(cls->getMethod(call->s(attr::name)));
        torch::jit::inlineCallTo(call, &fn, fn.graph().get());
    }

    // Inline the methods a module calls on itself and fold `self.training` to false.
    void simplify(Value* object)
    {
        bool changed = true;
        while (changed) {
            changed = false;
            for (Node* node : graph_->nodes()) {
                if (node->kind() == prim::CallMethod && node->input(0) == object) {
                    inlineCall(node);
                    changed = true;
                    break;
                }
            }
        }
        std::vector<Node*> trainingReads;
        for (const auto& use : object->uses())
            if (use.user->kind() == prim::GetAttr && use.user->s(attr::name) == "training")
                trainingReads.push_back(use.user);
        for (Node* read : trainingReads) {
            torch::jit::WithInsertPoint guard(read);
            read->output()->replaceAllUsesWith(graph_->insertConstant(false));
        }
        unfolded_.insert(object);
    }

    // Folds what `self.training = false` decides (the training branches of batch norm and
    // dropout), so that calls left only in a dead branch are not taken for nested ones.
    void propagateConstants()
    {
        if (unfolded_.empty())
            return;
        torch::jit::ConstantPropagation(graph_);
        unfolded_.clear();
    }

    Node* findCall(Value* object, const std::string& name, const std::string& path)
    {
        if (unfolded_.count(object))
            propagateConstants();
        std::vector<Node*> calls;
        bool nested = false;
        for (const auto& use : object->uses()) {
            Node* get = use.user;
            if (get->kind() != prim::GetAttr || get->s(attr::name) != name)
                continue;
            for (const auto& callUse : get->output()->uses()) {
                Node* call = callUse.user;
                if (call->kind() != prim::CallMethod || callUse.offset != 0)
                    continue;
                if (call->owningBlock() != graph_->block())
                    nested = true;
                else
                    calls.push_back(call);
            }
        }
        if (calls.size() > 1)
            throw Error("layer '" + path +
                "' is called more than once in forward; its output is ambiguous");
        if (calls.empty() && nested)
            throw Error("layer '" + path +
                "' is called inside a loop or a data-dependent branch; it cannot be captured");
        if (calls.empty())
            throw Error("layer '" + path +
                "' is not called as a module in forward (unused, or used only through its "
                "parameters)");
        Node* call = calls.front();
        if (call->s(attr::name) != "forward")
            throw Error("layer '" + path + "' is used through method '" + call->s(attr::name) +
                "', not forward");
        if (call->outputs().size() != 1 || !call->output()->type()->cast<c10::TensorType>())
            throw Error("layer '" + path + "' returns " + call->output()->type()->repr_str() +
                ", not a tensor");
        return call;
    }

    // Module path of a module-typed value, read from its GetAttr chain up to `self`.
    std::string pathOf(Value* object) const
    {
        std::vector<std::string> names;
        for (Value* v = object; v != graph_->inputs()[0]; v = v->node()->input(0)) {
            if (v->node()->kind() != prim::GetAttr)
                return {};
            names.push_back(v->node()->s(attr::name));
        }
        std::string path;
        for (auto it = names.rbegin(); it != names.rend(); ++it)
            path += (path.empty() ? "" : ".") + *it;
        return path;
    }

    // The module whose call produced `v`, for reporting where a pre-ReLU channel comes from.
    std::string producerOf(Value* v, const std::string& fallback) const
    {
        if (v->node()->kind() == prim::CallMethod) {
            const std::string path = pathOf(v->node()->input(0));
            if (!path.empty())
                return path;
        }
        return fallback;
    }

    void resolvePreRelu(size_t index, const std::string& label, std::vector<size_t>& parts,
        std::vector<std::string>& sources, int depth)
    {
        if (depth > 32)
            throw Error("layer '" + label + "': pre-ReLU search went too deep");
        Node* node = value(index)->node();
        if (node->kind() == aten::relu || node->kind() == aten::relu_) {
            sources.push_back(producerOf(node->input(0), label));
            parts.push_back(track(node->input(0)));
            return;
        }
        if (node->kind() == prim::CallMethod) {
            const std::string path = pathOf(node->input(0));
            if (isReluModule(node->input(0))) {
                sources.push_back(producerOf(node->input(1), parentOf(path)));
                parts.push_back(track(node->input(1)));
                return;
            }
            if (!path.empty()) {
                ensureInlined(path);
                resolvePreRelu(tracked_.at(path), path, parts, sources, depth + 1);
                return;
            }
        }
        if (node->kind() == aten::cat && node->input(0)->node()->kind() == prim::ListConstruct) {
            std::vector<size_t> pieces;
            for (Value* piece : node->input(0)->node()->inputs())
                pieces.push_back(track(piece));
            for (size_t piece : pieces)
                resolvePreRelu(piece, label, parts, sources, depth + 1);
            return;
        }
        // Not produced by a ReLU: the value is already pre-activation (e.g. a conv followed by
        // a separate ReLU module, a pooling layer, the logits).
        parts.push_back(index);
        sources.push_back(label);
    }

    // Alias analysis cannot see into module calls: the returned values come out of such calls,
    // so it treats any later call as possibly writing to them and keeps the whole tail of the
    // network alive. Module forwards do not write to tensors they were not given, and captured
    // values reach the rest of the network only through clones, so nodes whose results are
    // unused are removed here, from the end — except side effects and in-place writes to a
    // tensor that is read later.
    bool writesToLiveTensor(Node* node) const
    {
        const std::string name = node->kind().toUnqualString();
        if (!node->kind().is_aten() || name.empty() || name.back() != '_' || node->inputs().empty())
            return false;
        for (const auto& use : node->input(0)->uses())
            if (use.user != node && (use.user->isAfter(node) || use.user->kind() == prim::Return))
                return true;
        return false;
    }

    static bool raises(Node* node)
    {
        if (node->kind() == prim::RaiseException)
            return true;
        for (auto* block : node->blocks())
            for (Node* inner : block->nodes())
                if (raises(inner))
                    return true;
        return false;
    }

    void removeUnusedModuleCalls()
    {
        bool changed = true;
        while (changed) {
            changed = false;
            for (auto it = graph_->nodes().rbegin(); it != graph_->nodes().rend(); ++it) {
                Node* node = *it;
                const auto kind = node->kind();
                if (kind == prim::Return || kind == prim::Param || kind == prim::Print ||
                    kind == prim::SetAttr || kind == aten::warn || writesToLiveTensor(node) ||
                    (node->isBefore(lastProducer_) && raises(node)))
                    continue;
                bool unused = true;
                for (Value* out : node->outputs())
                    unused = unused && !out->hasUses();
                if (unused) {
                    node->destroy();
                    changed = true;
                    break;
                }
            }
        }
    }

    // The rest of the network reads a copy of the captured value, made where the value is
    // defined: in-place ops downstream (an inplace ReLU) then change the copy, not the value we
    // return, and gradients of later values (a logit, for Grad-CAM) still flow back into it.
    // Our own tuple outputs are created afterwards and keep using the value itself.
    void detourDownstreamThroughClone(Value* v)
    {
        Node* def = v->node();
        if (def->kind() == prim::Param)
            return;
        torch::jit::WithInsertPoint guard(def->next());
        Value* copy = graph_->insert(aten::clone, {v});
        v->replaceAllUsesAfterNodeWith(copy->node(), copy);
    }

    torch::jit::Module& root_;
    std::shared_ptr<Graph> graph_;
    size_t originalOutputs_ = 0;
    std::map<std::string, Value*> objects_;
    std::map<std::string, size_t> tracked_;
    std::map<std::string, size_t> trackedInputs_;
    std::set<std::string> inlined_;
    std::set<Value*> unfolded_;  // objects inlined since the last constant propagation
    Node* lastProducer_ = nullptr;  // of the values a plan returns; checks before it are kept
};

std::string planKey(
    const std::vector<CaptureRequest>& requests, bool withModelOutput, ReluRule reluRule)
{
    std::ostringstream key;
    for (const auto& r : requests)
        key << r.layer << (r.preRelu ? "#pre" : "") << (r.input ? "#in" : "") << '|';
    key << withModelOutput << '|' << int(reluRule);
    return key.str();
}

}  // namespace

CapturePlan compileCapture(torch::jit::Module& root, const std::vector<CaptureRequest>& requests,
    bool withModelOutput, ReluRule reluRule)
{
    try {
        GraphSurgeon surgeon(root);
        std::vector<std::vector<size_t>> requested;
        std::vector<std::vector<std::string>> sources;
        for (const auto& request : requests) {
            std::vector<std::string> src;
            if (request.input) {
                requested.push_back({surgeon.inputOf(request.layer)});
                src.push_back(request.layer + "#input");
            } else if (request.preRelu) {
                requested.push_back(surgeon.preReluOf(request.layer, src));
            } else {
                requested.push_back({surgeon.outputOf(request.layer)});
                src.push_back(request.layer);
            }
            sources.push_back(src);
        }
        return surgeon.finish(requested, withModelOutput, std::move(sources), reluRule);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("cannot build the capture graph: " + firstLine(e.what()));
    }
}

PatchPlan compilePatch(torch::jit::Module& root, const std::string& layer)
{
    try {
        GraphSurgeon surgeon(root);
        return {surgeon.finishPatch(surgeon.outputOf(layer))};
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("cannot build the graph that replaces '" + layer + "': " + firstLine(e.what()));
    }
}

CapturePlan compileCaptureOfAll(torch::jit::Module& root, const std::vector<std::string>& paths,
    std::map<std::string, std::string>& problems)
{
    try {
        GraphSurgeon surgeon(root);
        surgeon.inlineParentsOf(paths);
        std::vector<std::vector<size_t>> requested;
        std::vector<std::vector<std::string>> sources;
        for (const auto& path : paths) {
            try {
                requested.push_back({surgeon.outputOf(path)});
                sources.push_back({path});
                problems[path] = "";
            } catch (const std::exception& e) {
                problems[path] = firstLine(e.what());
            }
        }
        if (requested.empty())
            throw Error("no layer can be captured");
        return surgeon.finish(requested, true, std::move(sources), ReluRule::Plain);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("cannot build the capture graph: " + firstLine(e.what()));
    }
}

const PatchPlan& CaptureCache::patch(torch::jit::Module& root, const std::string& layer)
{
    auto it = patches_.find(layer);
    if (it == patches_.end())
        it = patches_.emplace(layer, compilePatch(root, layer)).first;
    return it->second;
}

const CapturePlan& CaptureCache::plan(torch::jit::Module& root,
    const std::vector<CaptureRequest>& requests, bool withModelOutput, ReluRule reluRule)
{
    const std::string key = planKey(requests, withModelOutput, reluRule);
    auto it = plans_.find(key);
    if (it == plans_.end())
        it = plans_.emplace(key, compileCapture(root, requests, withModelOutput, reluRule)).first;
    return it->second;
}

namespace {

// Under c10::InferenceMode a plan runs as a twin method with its own graph executor. One
// executor that has specialised its graph for autograd (a receptive-field estimate, a feature
// visualization) records backward nodes even for inference tensors, which then fails with
// "Inference tensors cannot be saved for backward"; separate executors never mix the two.
torch::jit::Method methodFor(torch::jit::Module& root, const std::string& methodName)
{
    if (!c10::InferenceMode::is_enabled())
        return root.get_method(methodName);
    const std::string twin = methodName + "_inference";
    if (auto method = root.find_method(twin))
        return *method;
    auto graph =
        torch::jit::toGraphFunction(root.get_method(methodName).function()).graph()->copy();
    auto type = root.type();
    type->addMethod(root._ivalue()->compilation_unit()->create_function(
        c10::QualifiedName(*type->name(), twin), graph));
    return root.get_method(twin);
}

}  // namespace

CaptureResult runCapture(
    torch::jit::Module& root, const CapturePlan& plan, const torch::Tensor& input)
{
    const auto outputs = methodFor(root, plan.methodName)({input}).toTuple()->elements();
    CaptureResult result;
    size_t next = 0;
    for (int parts : plan.partsPerRequest) {
        if (parts == 1) {
            result.activations.push_back(outputs[next].toTensor());
        } else {
            std::vector<torch::Tensor> pieces;
            for (int p = 0; p < parts; ++p)
                pieces.push_back(outputs[next + size_t(p)].toTensor());
            result.activations.push_back(torch::cat(pieces, 1));
        }
        next += size_t(parts);
    }
    if (plan.withModelOutput && next < outputs.size()) {
        c10::IValue out = outputs[next];
        while (out.isTuple())
            out = out.toTuple()->elements().at(0);
        if (out.isTensor())
            result.modelOutput = out.toTensor();
    }
    return result;
}

CaptureResult runCaptureInChunks(
    torch::jit::Module& root, const CapturePlan& plan, const torch::Tensor& input, int& maxBatch)
{
    const int n = int(input.size(0));
    if (maxBatch <= 0)
        maxBatch = n;
    std::vector<CaptureResult> parts;
    forEachShrinkingBatch(n, maxBatch, [&](int start, int count) {
        parts.push_back(runCapture(root, plan, input.slice(0, start, start + count)));
    });
    if (parts.size() == 1)
        return parts.front();
    CaptureResult joined;
    for (size_t a = 0; a < parts.front().activations.size(); ++a) {
        std::vector<torch::Tensor> pieces;
        for (const auto& p : parts)
            pieces.push_back(p.activations[a]);
        joined.activations.push_back(torch::cat(pieces, 0));
    }
    if (parts.front().modelOutput.defined()) {
        std::vector<torch::Tensor> pieces;
        for (const auto& p : parts)
            pieces.push_back(p.modelOutput);
        joined.modelOutput = torch::cat(pieces, 0);
    }
    return joined;
}

torch::Tensor runPatch(torch::jit::Module& root, const PatchPlan& plan, const torch::Tensor& input,
    const torch::Tensor& replacement)
{
    return firstTensor(methodFor(root, plan.methodName)({input, replacement}));
}

}  // namespace loupe
