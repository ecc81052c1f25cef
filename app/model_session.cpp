#include "app/model_session.h"

#include "app/job_runner.h"
#include "core/builtin_model.h"

#include <QFileInfo>

namespace loupe::app {

ModelSession::ModelSession(JobRunner* runner, QObject* parent) : QObject(parent), runner_(runner) {}

QString ModelSession::modelPath() const { return model_ ? QString::fromStdString(model_->path()) : QString(); }
QString ModelSession::modelHash() const { return model_ ? QString::fromStdString(model_->hash()) : QString(); }
QString ModelSession::modelName() const { return model_ ? QString::fromStdString(model_->displayName()) : QString(); }
std::vector<LayerInfo> ModelSession::layers() const { return model_ ? model_->layers() : std::vector<LayerInfo>{}; }

QString ModelSession::defaultLayer() const
{
    if (!model_)
        return {};
    // Prefer a top-level feature map about half-way through the network: rich enough to be
    // interesting, spatial enough to read.
    std::vector<const LayerInfo*> candidates;
    for (const auto& layer : model_->layers())
        if (layer.addressable && layer.isSpatial() && layer.depth == 0 && layer.parameters > 0)
            candidates.push_back(&layer);
    if (candidates.empty())
        for (const auto& layer : model_->layers())
            if (layer.addressable)
                return QString::fromStdString(layer.path);
    return candidates.empty() ? QString() : QString::fromStdString(candidates[candidates.size() / 2]->path);
}

void ModelSession::openModel(const QString& path, DevicePreference device)
{
    emit modelLoading(path);
    const std::string file = path.toStdString();
    runner_->submit(
        tr("Open %1").arg(QFileInfo(path).fileName()), JobRunner::Pool::Device,
        [file, device](Progress& progress) -> std::any {
            progress.report(0.1, "reading and checking the model");
            return std::shared_ptr<Model>(Model::load(file, device));
        },
        this,
        {[this](std::any result) {
             model_ = std::any_cast<std::shared_ptr<Model>>(result);
             deviceName_ = QString::fromStdString(model_->device().name);
             deviceIsCuda_ = model_->device().cuda;
             emit deviceChanged(deviceName_);
             emit modelLoaded();
         },
         [this, path](const QString& message) { emit modelFailed(path, message); },
         {}});
}

void ModelSession::trainBuiltinModel(const QString& directory, DevicePreference device)
{
    const std::string dir = directory.toStdString();
    runner_->submit(
        tr("Train built-in model"), JobRunner::Pool::Device,
        [dir](Progress& progress) -> std::any {
            return QString::fromStdString(loupe::trainBuiltinModel(TrainingConfig(), dir, progress).modelPath);
        },
        this,
        {[this, device](std::any result) { openModel(std::any_cast<QString>(result), device); },
         [this](const QString& message) { emit trainingFailed(message); },
         [this] { emit trainingFailed(tr("training was cancelled; Model > Train Built-in Model… starts it again")); }});
}

void ModelSession::setDevice(DevicePreference device)
{
    if (!model_)
        return;
    auto model = model_;
    runner_->submit(
        tr("Switch device"), JobRunner::Pool::Device,
        [model, device](Progress&) -> std::any {
            model->setDevice(device);
            return model->device();
        },
        this,
        {[this](std::any result) {
             const auto info = std::any_cast<DeviceInfo>(result);
             deviceName_ = QString::fromStdString(info.name);
             deviceIsCuda_ = info.cuda;
             emit deviceChanged(deviceName_);
         },
         {}, {}});
}

void ModelSession::setImage(const RgbImage& image, const QString& path)
{
    image_ = image;
    imagePath_ = path;
    emit imageChanged();
}

void ModelSession::requestActivations(const QString& layer, bool preRelu)
{
    if (!model_ || image_.empty() || layer.isEmpty())
        return;
    auto model = model_;
    const RgbImage image = image_;
    const std::string name = layer.toStdString();
    runner_->submit(
        tr("Activations of %1").arg(layer), JobRunner::Pool::Device,
        [model, image, name, preRelu](Progress& progress) -> std::any {
            progress.report(0.2, "forward pass");
            return computeActivations(*model, image, name, preRelu, 5);
        },
        this,
        {[this](std::any result) { emit activationsReady(std::any_cast<LayerActivations>(result)); },
         [this, layer](const QString& message) { emit activationsFailed(layer, message); },
         {}},
        QStringLiteral("activations"));
}

void ModelSession::requestWeights(const QString& layer)
{
    if (!model_ || layer.isEmpty())
        return;
    auto model = model_;
    const std::string name = layer.toStdString();
    runner_->submit(
        tr("Weights of %1").arg(layer), JobRunner::Pool::Device,
        [model, name](Progress&) -> std::any { return layerWeightsIfAny(*model, name); }, this,
        {[this](std::any result) { emit weightsReady(std::any_cast<LayerWeights>(result)); },
         [this, layer](const QString& message) { emit weightsFailed(layer, message); },
         {}},
        QStringLiteral("weights"));
}

} // namespace loupe::app
