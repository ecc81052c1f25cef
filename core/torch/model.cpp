#include "core/torch/model_impl.h"

#include "core/content_hash.h"
#include "core/error.h"

#include <filesystem>

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

std::vector<LayerInfo> listLayers(
    torch::jit::Module& module, const ModelMetadata& metadata, torch::Device device)
{
    std::map<std::string, std::string> aliasOf;
    for (const auto& [alias, path] : metadata.layerAliases)
        aliasOf[path] = alias;

    std::vector<LayerInfo> layers;
    std::vector<std::string> paths;
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
        paths.push_back(item.name);
    }

    const auto problems = captureProblems(module, paths);
    std::vector<CaptureRequest> requests;
    for (auto& layer : layers) {
        layer.note = problems.at(layer.path);
        layer.addressable = layer.note.empty();
        if (layer.addressable)
            requests.push_back({layer.path, false});
    }
    if (requests.empty())
        return layers;

    // One forward through a graph that returns every addressable layer gives all shapes.
    torch::NoGradGuard noGrad;
    const auto plan = compileCapture(module, requests, false);
    const auto input = torch::zeros(
        {1, 3, metadata.input.size, metadata.input.size}, torch::TensorOptions().device(device));
    const auto result = runCapture(module, plan, input);
    size_t next = 0;
    for (auto& layer : layers) {
        if (!layer.addressable)
            continue;
        const auto sizes = result.activations[next++].sizes();
        layer.shape.assign(sizes.begin() + 1, sizes.end());
    }
    return layers;
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

std::unique_ptr<Model> Model::load(const std::string& path, DevicePreference device)
{
    checkFile(path);
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->hash = sha256OfFile(path);
    impl->module = loadModule(path, impl->metadata);
    auto model = std::unique_ptr<Model>(new Model(std::move(impl)));
    model->setDevice(device);
    Impl& d = *model->impl_;
    d.numClasses = probeForward(d.module, d.metadata.input, d.device, fileName(path));
    // Labels are read by index: one missing would shift every name after it.
    if (!d.metadata.labels.empty() && int(d.metadata.labels.size()) != d.numClasses)
        throw Error("'" + fileName(path) + "': loupe.json lists " +
            std::to_string(d.metadata.labels.size()) + " labels, but the model has " +
            std::to_string(d.numClasses) + " output classes");
    try {
        d.layers = listLayers(d.module, d.metadata, d.device);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("cannot list the layers of '" + fileName(path) + "': " + firstLine(e.what()));
    }
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
