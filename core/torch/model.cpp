#include "core/torch/model_impl.h"

#include "core/content_hash.h"
#include "core/error.h"
#include "core/file_hash_memo.h"
#include "core/model_facts.h"
#include "core/torch/meta_pass.h"
#include "core/workspace.h"

#include <torch/csrc/jit/runtime/graph_executor.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <optional>

namespace loupe {
namespace {

std::string fileName(const std::string& path)
{
    return std::filesystem::path(path).filename().string();
}

void checkFile(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw Error("model file '" + path + "' does not exist");
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error("'" + path + "' is not a file");
    if (std::filesystem::file_size(path, ec) == 0)
        throw Error("model file '" + path + "' is empty (0 bytes)");
}

torch::jit::Module loadModule(const std::string& path, ModelMetadata& metadata)
{
    torch::jit::ExtraFilesMap extra{{"loupe.json", ""}};
    torch::jit::Module module;
    try {
        module = torch::jit::load(path, torch::kCPU, extra);
    } catch (const std::exception& e) {
        throw Error("'" + fileName(path) +
            "' is not a readable TorchScript model (truncated, corrupt, or not "
            "saved with torch.jit.save): " +
            firstLine(e.what()));
    }
    if (!extra["loupe.json"].empty())
        metadata = ModelMetadata::fromJson(extra["loupe.json"]);
    if (!module.find_method("forward"))
        throw Error("'" + fileName(path) + "' has no forward method");
    module.eval();
    // Loupe never trains a model it opens: frozen weights make every backward (feature vis,
    // inversion, DeepDream...) compute gradients for the image only, not for 7 M weights too,
    // and nothing accumulates in the weights' .grad.
    for (auto p : module.parameters(/*recurse=*/true))
        p.set_requires_grad(false);
    return module;
}

std::int64_t countParameters(const torch::jit::Module& module)
{
    std::int64_t n = 0;
    for (const auto& p : module.parameters(/*recurse=*/true))
        n += p.numel();
    return n;
}

std::string typeName(const torch::jit::Module& module)
{
    const auto name = module.type()->name();
    return name ? name->name() : std::string("Module");
}

// Runs the model once on a blank input: proves it is an image CNN and finds the class count.
int probeForward(torch::jit::Module& module, const InputSpec& spec, torch::Device device,
    const std::string& file)
{
    torch::NoGradGuard noGrad;
    const auto input =
        torch::zeros({1, 3, spec.size, spec.size}, torch::TensorOptions().device(device));
    c10::IValue out;
    try {
        out = module.forward({input});
    } catch (const std::exception& e) {
        throw Error("'" + file + "' is not an image CNN: its forward fails on a 1x3x" +
            std::to_string(spec.size) + "x" + std::to_string(spec.size) +
            " image tensor: " + firstLine(e.what()));
    }
    const torch::Tensor t = firstTensor(out);
    if (!t.defined())
        throw Error("'" + file + "' is not an image CNN: forward returns " + out.tagKind() +
            ", not a tensor");
    return (t.dim() == 2 && t.size(1) > 1) ? int(t.size(1)) : 0;
}

// Every module with its type, depth, parameters and alias (capturability and shape come later).
std::vector<LayerInfo> describeLayers(torch::jit::Module& module, const ModelMetadata& metadata)
{
    std::map<std::string, std::string> aliasOf;
    for (const auto& [alias, path] : metadata.layerAliases)
        aliasOf[path] = alias;
    std::vector<LayerInfo> layers;
    for (const auto& item : module.named_modules()) {
        if (item.name.empty())
            continue;  // the root is the model itself
        LayerInfo info;
        info.path = item.name;
        info.type = typeName(item.value);
        info.depth = int(std::count(item.name.begin(), item.name.end(), '.'));
        info.parameters = countParameters(item.value);
        if (auto it = aliasOf.find(item.name); it != aliasOf.end())
            info.alias = it->second;
        layers.push_back(info);
    }
    return layers;
}

// Runs the model once, through a graph that also returns every addressable layer: proves it
// is an image CNN, finds the class count and every layer's shape in one pass. The graph is
// built by one surgery that also says which layers cannot be captured, and runs once without
// the executor's profiling and optimisation (which pay off only for graphs run again). The
// pass runs on the meta device (shapes without arithmetic: a real forward would cost as much
// as the load) unless the model needs its data to run; then a real forward does it.
ModelFacts learnFacts(torch::jit::Module& module, const ModelMetadata& metadata,
    torch::Device device, const std::string& file, bool& shapesFromMetaPass)
{
    ModelFacts facts;
    facts.layers = describeLayers(module, metadata);
    std::vector<std::string> paths;
    for (const auto& layer : facts.layers)
        paths.push_back(layer.path);
    std::map<std::string, std::string> problems;
    std::optional<CapturePlan> plan;
    std::string whyNone;
    try {
        plan = compileCaptureOfAll(module, paths, problems);
    } catch (const Error& e) {
        whyNone = e.what();  // no layer can be captured: still usable as a classifier
    }
    for (auto& layer : facts.layers) {
        const auto it = problems.find(layer.path);
        layer.note = it != problems.end() && !it->second.empty() ? it->second
            : plan                                               ? std::string()
                                                                 : whyNone;
        layer.addressable = plan && layer.note.empty();
    }
    if (!plan) {
        facts.numClasses = probeForward(module, metadata.input, device, file);
        return facts;
    }
    CaptureResult result;
    try {
        torch::NoGradGuard noGrad;
        const torch::jit::GraphOptimizerEnabledGuard runOnce(false);
        if (auto shapesOnly = runCaptureOnMeta(module, *plan, metadata.input.size)) {
            result = std::move(*shapesOnly);
            shapesFromMetaPass = true;
        } else {
            const auto input = torch::zeros({1, 3, metadata.input.size, metadata.input.size},
                torch::TensorOptions().device(device));
            result = runCapture(module, *plan, input);
        }
    } catch (const std::exception&) {
        // The plain forward says why, in the words of a failed open.
        probeForward(module, metadata.input, device, file);
        throw;
    }
    const auto& out = result.modelOutput;
    facts.numClasses = out.defined()
        ? ((out.dim() == 2 && out.size(1) > 1) ? int(out.size(1)) : 0)
        : probeForward(module, metadata.input, device, file);  // a list or odd output
    size_t next = 0;
    for (auto& layer : facts.layers) {
        if (!layer.addressable)
            continue;
        const auto sizes = result.activations[next++].sizes();
        layer.shape.assign(sizes.begin() + 1, sizes.end());
    }
    return facts;
}

std::optional<ModelFacts> storedFacts(Workspace* workspace)
{
    if (!workspace)
        return std::nullopt;
    try {
        if (const auto bytes = workspace->get(kModelFactsKind, kModelFactsKey))
            return deserializeModelFacts(*bytes);
    } catch (const Error&) {
        // damaged or from another version: learnt again and replaced
    }
    return std::nullopt;
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

torch::Tensor firstTensor(const c10::IValue& value)
{
    if (value.isTensor())
        return value.toTensor();
    if (value.isTuple()) {
        const auto& elements = value.toTuple()->elements();
        return elements.empty() ? torch::Tensor() : firstTensor(elements[0]);
    }
    if (value.isList()) {
        const auto list = value.toList();
        return list.empty() ? torch::Tensor() : firstTensor(list.get(0));
    }
    return {};
}

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

std::unique_ptr<Model> Model::load(const std::string& path, DevicePreference device,
    const ModelOpenOptions& options, ModelOpenTimings* timings)
{
    checkFile(path);
    ModelOpenTimings spent;
    auto start = std::chrono::steady_clock::now();
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    // Hashing (a full read of the file) runs beside torch::jit::load unless memoised.
    const std::string memo =
        options.dataDirectory.empty() ? std::string() : fileHashMemoPath(options.dataDirectory);
    auto hashing = std::async(
        std::launch::async, [&] { return memoisedFileHash(path, memo, &spent.hashMemoised); });
    impl->module = loadModule(path, impl->metadata);
    impl->hash = hashing.get();
    auto model = std::unique_ptr<Model>(new Model(std::move(impl)));
    model->setDevice(device);
    spent.hashAndLoadSeconds = secondsSince(start);

    start = std::chrono::steady_clock::now();
    Impl& d = *model->impl_;
    std::unique_ptr<Workspace> workspace;
    if (!options.dataDirectory.empty()) {
        try {
            workspace =
                Workspace::open(Workspace::fileForModel(options.dataDirectory, d.hash), d.hash);
        } catch (const Error&) {
            // no cache: the facts are learnt as on a first open
        }
    }
    std::optional<ModelFacts> facts = storedFacts(workspace.get());
    spent.factsFromWorkspace = facts.has_value();
    if (!facts) {
        try {
            facts = learnFacts(
                d.module, d.metadata, d.device, fileName(path), spent.shapesFromMetaPass);
        } catch (const Error&) {
            throw;
        } catch (const std::exception& e) {
            throw Error(
                "cannot list the layers of '" + fileName(path) + "': " + firstLine(e.what()));
        }
        if (workspace)
            workspace->cacheBestEffort([&] {
                workspace->put(kModelFactsKind, kModelFactsKey, serializeModelFacts(*facts));
            });
    }
    d.numClasses = facts->numClasses;
    d.layers = std::move(facts->layers);
    // Labels are read by index: one missing would shift every name after it.
    if (!d.metadata.labels.empty() && int(d.metadata.labels.size()) != d.numClasses)
        throw Error("'" + fileName(path) + "': loupe.json lists " +
            std::to_string(d.metadata.labels.size()) + " labels, but the model has " +
            std::to_string(d.numClasses) + " output classes");
    spent.factsSeconds = secondsSince(start);
    if (timings)
        *timings = spent;
    return model;
}

const std::string& Model::path() const
{
    return impl_->path;
}
const std::string& Model::hash() const
{
    return impl_->hash;
}
const ModelMetadata& Model::metadata() const
{
    return impl_->metadata;
}
const std::vector<LayerInfo>& Model::layers() const
{
    return impl_->layers;
}
const DeviceInfo& Model::device() const
{
    return impl_->deviceInfo;
}
int Model::numClasses() const
{
    return impl_->numClasses;
}

void Model::setDevice(DevicePreference preference)
{
    impl_->deviceInfo = resolveDevice(preference);
    impl_->device =
        impl_->deviceInfo.cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    impl_->module.to(impl_->device);
}

std::unique_ptr<Model> Model::copy() const
{
    auto impl = std::make_unique<Impl>();
    impl->path = impl_->path;
    impl->hash = impl_->hash;
    impl->metadata = impl_->metadata;
    impl->layers = impl_->layers;
    impl->deviceInfo = impl_->deviceInfo;
    impl->device = impl_->device;
    // deepcopy clones every tensor but shares the module's TorchScript type, so capture methods
    // compiled for the copy are added to that type too (unique names: they do not interfere).
    impl->module = impl_->module.deepcopy();
    impl->numClasses = impl_->numClasses;
    return std::unique_ptr<Model>(new Model(std::move(impl)));
}

std::string Model::weightsDigest() const
{
    std::string bytes;
    const auto append = [&](const std::string& name, const torch::Tensor& t) {
        const auto cpu = t.detach().to(torch::kCPU).contiguous();
        bytes += name;
        bytes.append(static_cast<const char*>(cpu.data_ptr()), cpu.nbytes());
    };
    for (const auto& p : impl_->module.named_parameters(true))
        append(p.name, p.value);
    for (const auto& b : impl_->module.named_buffers(true))
        append(b.name, b.value);
    return sha256OfBytes(bytes);
}

std::string Model::classLabel(int index) const
{
    const auto& labels = impl_->metadata.labels;
    if (index >= 0 && size_t(index) < labels.size())
        return labels[size_t(index)];
    return "class " + std::to_string(index);
}

const LayerInfo& Model::layer(const std::string& nameOrAlias) const
{
    std::string path = nameOrAlias;
    if (auto it = impl_->metadata.layerAliases.find(nameOrAlias);
        it != impl_->metadata.layerAliases.end())
        path = it->second;
    for (const auto& layer : impl_->layers)
        if (layer.path == path)
            return layer;
    throw Error("unknown layer '" + nameOrAlias + "' (see `loupe-cli info` for the layer list)");
}

std::string Model::displayName() const
{
    return impl_->metadata.name.empty() ? fileName(impl_->path) : impl_->metadata.name;
}

}  // namespace loupe
