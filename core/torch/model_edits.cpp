// Circuit edits on weights: a unit is held at a value by zeroing the weights that produce its
// channel and setting that channel's bias, found through the layer's concatenations with the
// same graph surgery that captures pre-ReLU values. Weights, not the graph, are edited, so an
// edited copy runs every capture and attribution unchanged, and saves as an ordinary file.

#include "core/model_edits.h"

#include "core/content_hash.h"
#include "core/dataset_scan.h"
#include "core/error.h"
#include "core/torch/model_impl.h"
#include "core/torch/random.h"
#include "core/unit_statistics.h"

#include <algorithm>
#include <filesystem>
#include <map>

namespace loupe {
namespace {

namespace fs = std::filesystem;

std::string typeName(const torch::jit::Module& module)
{
    const auto name = module.type()->name();
    return name ? name->name() : std::string();
}

torch::jit::Module submodule(torch::jit::Module module, const std::string& path)
{
    size_t start = 0;
    while (!path.empty() && start <= path.size()) {
        const size_t dot = path.find('.', start);
        const std::string part = path.substr(start, dot == std::string::npos ? dot : dot - start);
        if (!module.hasattr(part))
            throw Error("the model has no module '" + path + "'");
        module = module.attr(part).toModule();
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    return module;
}

bool producesChannels(const torch::jit::Module& module)
{
    const std::string type = typeName(module);
    return type == "Conv2d" || type == "BatchNorm2d" || type == "Linear" || type == "Conv1d";
}

// The conv / batch norm / linear module that writes channel `channel` of `layer`, and the
// channel's index among its outputs.
struct Producer {
    std::string path;
    torch::jit::Module module;
    int channel = 0;
};

Producer producerOf(Model& model, const LayerInfo& layer, int channel)
{
    auto& impl = model.impl();
    const CapturePlan& plan = impl.captures.plan(impl.module, {{layer.path, true, false}}, false);
    const auto& sources = plan.partSources.at(0);
    int offset = 0;
    for (const auto& source : sources) {
        int width = int(layer.channels());
        if (sources.size() > 1) {
            const LayerInfo* info = nullptr;
            for (const auto& l : model.layers())
                if (l.path == source)
                    info = &l;
            if (!info)
                throw Error(
                    "cannot tell which channels of '" + layer.path + "' '" + source + "' produces");
            width = int(info->channels());
        }
        if (channel < offset + width) {
            torch::jit::Module module = submodule(impl.module, source);
            std::string path = source;
            if (!producesChannels(module)) {
                // A wrapper (ConvReLU, a Sequential): its last conv / norm / linear.
                bool found = false;
                for (const auto& item : module.named_modules())
                    if (!item.name.empty() && producesChannels(item.value)) {
                        module = item.value;
                        path = source + "." + item.name;
                        found = true;
                    }
                if (!found)
                    throw Error("cannot edit " + layer.path + ":" + std::to_string(channel) +
                        ": its channel is made by '" + source + "' (" + typeName(module) +
                        "), not by a convolution, batch norm or linear layer");
            }
            return {path, module, channel - offset};
        }
        offset += width;
    }
    throw Error("channel " + std::to_string(channel) + " is out of range for '" + layer.path + "'");
}

torch::Tensor parameter(const torch::jit::Module& module, const std::string& name,
    const std::string& path, const std::string& why)
{
    if (!module.hasattr(name) || !module.attr(name).isTensor())
        throw Error("cannot " + why + ": '" + path + "' has no " + name);
    return module.attr(name).toTensor();
}

void holdUnit(Model& model, const ModelEdit& edit)
{
    const LayerInfo& layer = model.layer(edit.layer);
    const Producer p = producerOf(model, layer, edit.channel);
    const std::string what = "hold " + edit.toString();
    torch::NoGradGuard noGrad;
    const auto weight = parameter(p.module, "weight", p.path, what);
    if (p.channel >= weight.size(0))
        throw Error(
            "channel " + std::to_string(edit.channel) + " is out of range for '" + p.path + "'");
    weight[p.channel].zero_();
    const bool hasBias = p.module.hasattr("bias") && p.module.attr("bias").isTensor();
    if (hasBias)
        p.module.attr("bias").toTensor()[p.channel].fill_(edit.value);
    else if (edit.value != 0)
        throw Error("cannot " + what + ": '" + p.path + "' has no bias to hold it at");
}

void cutWeights(Model& model, const ModelEdit& edit)
{
    const LayerInfo& layer = model.layer(edit.layer);
    torch::jit::Module module = submodule(model.impl().module, layer.path);
    std::string path = layer.path;
    if (typeName(module) != "Conv2d") {
        bool found = false;
        for (const auto& item : module.named_modules())
            if (!item.name.empty() && typeName(item.value) == "Conv2d") {
                module = item.value;
                path = layer.path + "." + item.name;
                found = true;
            }
        if (!found)
            throw Error("cannot " + edit.toString() + ": '" + layer.path +
                "' is not a convolution (cut the kernels of a conv, as the Circuit dock shows)");
    }
    torch::NoGradGuard noGrad;
    const auto weight = parameter(module, "weight", path, edit.toString());
    if (edit.channel >= weight.size(0) || edit.inputChannel >= weight.size(1))
        throw Error("cannot " + edit.toString() + ": '" + path + "' has " +
            std::to_string(weight.size(0)) + " output and " + std::to_string(weight.size(1)) +
            " input channels (per group)");
    weight[edit.channel][edit.inputChannel].zero_();
}

// The layers' outputs on one seeded random input, in the order asked.
std::vector<torch::Tensor> outputsOnNoise(
    Model& model, const std::vector<CaptureRequest>& requests, std::uint64_t seed)
{
    auto& impl = model.impl();
    const int size = impl.metadata.input.size;
    auto generator = seededGenerator(seed);
    torch::NoGradGuard noGrad;
    const auto input =
        normal({1, 3, size, size}, generator, torch::TensorOptions().device(impl.device));
    const CapturePlan& plan = impl.captures.plan(impl.module, requests, false);
    return runCapture(impl.module, plan, input).activations;
}

void verifyHeld(Model& model, const ModelEdit& edit)
{
    const std::string path = model.layer(edit.layer).path;
    const auto out = outputsOnNoise(model, {{path, false, false}}, 7).at(0).select(1, edit.channel);
    const double error = (out - edit.value).abs().max().item<double>();
    if (error > 1e-4 * (1.0 + std::abs(edit.value)))
        throw Error("cannot " + edit.toString() +
            ": after editing the weights that make the "
            "channel, '" +
            path + "' still varies there (by " + std::to_string(error) +
            "): an operation between them mixes channels");
}

}  // namespace

void fillScanMeans(EditList& edits, const Workspace& workspace, Model& model)
{
    std::vector<std::string> layers;
    for (auto& edit : edits.edits)
        if (edit.kind == ModelEdit::Kind::MeanUnit)
            layers.push_back(model.layer(edit.layer).path);
    if (layers.empty())
        return;
    const ScanResults scan = loadScan(workspace, {}, layers);
    std::map<std::string, bool> endsInRelu;
    for (auto& edit : edits.edits) {
        if (edit.kind != ModelEdit::Kind::MeanUnit)
            continue;
        const std::string path = model.layer(edit.layer).path;
        const auto it = scan.layers.find(path);
        if (it == scan.layers.end())
            throw Error("the latest scan (" + scan.folder + ") has no statistics of '" + path +
                "': scan that layer to ablate its units to their mean");
        if (edit.channel >= int(it->second.size()))
            throw Error(
                "channel " + std::to_string(edit.channel) + " is out of range for '" + path + "'");
        if (!endsInRelu.count(path)) {
            // The scan keeps pre-ReLU values; where the layer's output is their ReLU, its mean
            // is the positive part's.
            const auto both = outputsOnNoise(model, {{path, false, false}, {path, true, false}}, 3);
            endsInRelu[path] =
                !torch::equal(both[0], both[1]) && torch::allclose(both[0], torch::relu(both[1]));
        }
        const ChannelStatistics& stats = it->second[size_t(edit.channel)];
        edit.value = endsInRelu[path] ? positivePartMean(stats) : stats.mean();
    }
}

std::unique_ptr<Model> applyEdits(const Model& model, const EditList& edits)
{
    try {
        auto edited = model.copy();
        for (const auto& edit : edits.edits) {
            if (edit.kind == ModelEdit::Kind::CutWeights)
                cutWeights(*edited, edit);
            else
                holdUnit(*edited, edit);
        }
        for (const auto& edit : edits.edits)
            if (edit.kind != ModelEdit::Kind::CutWeights)
                verifyHeld(*edited, edit);
        if (!edits.empty())
            edited->impl().hash = sha256OfBytes(model.hash() + "+" + edits.digest());
        return edited;
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(std::string("cannot apply the edits: ") + e.what());
    }
}

std::vector<std::string> parametersThatDiffer(Model& a, Model& b)
{
    std::map<std::string, torch::Tensor> values;
    for (const auto& p : a.impl().module.named_parameters(true))
        values[p.name] = p.value;
    for (const auto& p : a.impl().module.named_buffers(true))
        values[p.name] = p.value;
    std::vector<std::string> differ;
    const auto compare = [&](const std::string& name, const torch::Tensor& value) {
        const auto it = values.find(name);
        if (it == values.end() || !it->second.sizes().equals(value.sizes()) ||
            !torch::equal(it->second.to(torch::kCPU), value.to(torch::kCPU)))
            differ.push_back(name);
    };
    for (const auto& p : b.impl().module.named_parameters(true))
        compare(p.name, p.value);
    for (const auto& p : b.impl().module.named_buffers(true))
        compare(p.name, p.value);
    std::sort(differ.begin(), differ.end());
    return differ;
}

void saveEditedModel(
    Model& edited, const EditList& edits, const std::string& originalHash, const std::string& path)
{
    std::error_code ignored;
    if (fs::exists(path) && fs::equivalent(path, edited.path(), ignored))
        throw Error("'" + path +
            "' is the model the edits were made on; it is never overwritten: "
            "choose another file");
    // The saved file is the original archive with the edited weights: loading it afresh drops
    // the capture methods Loupe added to the open model's type.
    torch::jit::Module fresh;
    try {
        fresh = torch::jit::load(edited.path(), torch::kCPU);
    } catch (const std::exception& e) {
        throw Error("cannot read '" + edited.path() +
            "' again to save the edited model: " + std::string(e.what()).substr(0, 200));
    }
    std::map<std::string, torch::Tensor> values;
    for (const auto& p : edited.impl().module.named_parameters(true))
        values[p.name] = p.value;
    for (const auto& b : edited.impl().module.named_buffers(true))
        values[b.name] = b.value;
    {
        torch::NoGradGuard noGrad;
        const auto copyFrom = [&](const std::string& name, torch::Tensor target) {
            const auto it = values.find(name);
            if (it == values.end())
                throw Error("the edited model has no '" + name + "' to save");
            target.copy_(it->second.to(torch::kCPU));
        };
        for (const auto& p : fresh.named_parameters(true))
            copyFrom(p.name, p.value);
        for (const auto& b : fresh.named_buffers(true))
            copyFrom(b.name, b.value);
    }
    ModelMetadata metadata = edited.metadata();
    metadata.edits = edits.toJson();
    metadata.editedFrom = originalHash;
    torch::jit::ExtraFilesMap extra{{"loupe.json", metadata.toJson().dump(2)}};
    const std::string partial = path + ".partial";
    try {
        fresh.save(partial, extra);
    } catch (const std::exception& e) {
        fs::remove(partial, ignored);
        throw Error("cannot write '" + path + "': " + std::string(e.what()).substr(0, 200));
    }
    std::error_code renamed;
    fs::rename(partial, path, renamed);
    if (renamed) {
        fs::remove(partial, ignored);
        throw Error("cannot write '" + path + "': " + renamed.message());
    }
}

}  // namespace loupe
