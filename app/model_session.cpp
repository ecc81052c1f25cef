#include "app/model_session.h"

#include "app/job_runner.h"
#include "core/builtin_model.h"
#include "core/error.h"
#include "core/workspace.h"

#include <QFileInfo>

#include <algorithm>

namespace loupe::app {

ModelSession::ModelSession(JobRunner* runner, QObject* parent) : QObject(parent), runner_(runner) {}

QString ModelSession::modelPath() const
{
    return model_ ? QString::fromStdString(model_->path()) : QString();
}
QString ModelSession::modelHash() const
{
    return model_ ? QString::fromStdString(model_->hash()) : QString();
}
QString ModelSession::modelName() const
{
    return model_ ? QString::fromStdString(model_->displayName()) : QString();
}
std::vector<LayerInfo> ModelSession::layers() const
{
    return model_ ? model_->layers() : std::vector<LayerInfo>{};
}

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
    return candidates.empty() ? QString()
                              : QString::fromStdString(candidates[candidates.size() / 2]->path);
}

void ModelSession::openModel(const QString& path, DevicePreference device)
{
    emit modelLoading(path);
    const std::string file = path.toStdString();
    struct Loaded {
        std::shared_ptr<Model> model;
        std::shared_ptr<Workspace> workspace;
    };
    runner_->submit(
        {tr("Open %1").arg(QFileInfo(path).fileName())}, this,
        [file, device](JobContext& job) {
            job.progress.report(0.1, "reading and checking the model");
            // Reopening reuses the memoised hash and the layer facts in the workspace.
            Loaded loaded{std::shared_ptr<Model>(
                              Model::load(file, device, {Workspace::defaultDataDirectory()})),
                nullptr};
            try {
                const std::string hash = loaded.model->hash();
                loaded.workspace = Workspace::open(
                    Workspace::fileForModel(Workspace::defaultDataDirectory(), hash), hash);
            } catch (const std::exception&) {
                // Without a cache everything still works, only slower on repeat visits.
            }
            return loaded;
        },
        [this](Loaded loaded) {
            model_ = loaded.model;
            workspace_ = loaded.workspace;
            original_.reset();
            originalWorkspace_.reset();
            edits_ = {};
            hasScan_ = false;  // until the scan summary is read
            deviceName_ = QString::fromStdString(model_->device().name);
            deviceIsCuda_ = model_->device().cuda;
            emit deviceChanged(deviceName_);
            emit modelLoaded();
        },
        [this, path](const QString& message) { emit modelFailed(path, message); });
}

int ModelSession::trainBuiltinModel(const QString& directory, DevicePreference device)
{
    const std::string dir = directory.toStdString();
    return runner_->submit(
        {tr("Train built-in model")}, this,
        [dir](JobContext& job) {
            return QString::fromStdString(
                loupe::trainBuiltinModel(TrainingConfig(), dir, job.progress).modelPath);
        },
        [this, device](const QString& path) { openModel(path, device); },
        [this](const QString& message) { emit trainingFailed(message); },
        [this] {
            emit trainingFailed(
                tr("training was cancelled; Model > Train Built-in Model… starts it again"));
        });
}

void ModelSession::setDevice(DevicePreference device)
{
    if (!model_)
        return;
    auto model = model_;
    runner_->submit(
        {tr("Switch device")}, this,
        [model, device](JobContext&) {
            model->setDevice(device);
            return model->device();
        },
        [this](const DeviceInfo& info) {
            deviceName_ = QString::fromStdString(info.name);
            deviceIsCuda_ = info.cuda;
            emit deviceChanged(deviceName_);
        });
}

void ModelSession::setImage(const RgbImage& image, const QString& path)
{
    image_ = image;
    imagePath_ = path;
    emit imageChanged();
}

void ModelSession::startNewWorkspace(
    std::function<void(const QString&)> done, std::function<void(const QString&)> failed)
{
    if (!model_)
        return;
    const std::string hash = model_->hash();
    const std::string file = workspace_
        ? workspace_->file()
        : Workspace::fileForModel(Workspace::defaultDataDirectory(), hash);
    struct Fresh {
        std::shared_ptr<Workspace> workspace;
        std::string movedTo;
    };
    runner_->submit(
        {tr("Start a new workspace")}, this,
        [file, hash](JobContext&) {
            Fresh fresh;
            fresh.movedTo = Workspace::moveAside(file);
            fresh.workspace = Workspace::open(file, hash);
            return fresh;
        },
        [this, done = std::move(done)](const Fresh& fresh) {
            workspace_ = fresh.workspace;
            publishScanSummaries({});
            emit workspaceChanged();
            done(QString::fromStdString(fresh.movedTo));
        },
        std::move(failed));
}

void ModelSession::applyEdits(const EditList& edits, std::function<void(const EditList&)> done,
    std::function<void(const QString&)> failed)
{
    if (!model_)
        return;
    auto original = originalModel();
    auto records = recordsWorkspace();
    struct Edited {
        std::shared_ptr<Model> model;
        std::shared_ptr<Workspace> workspace;
        EditList edits;
    };
    runner_->submit(
        {edits.empty() ? tr("Back to the original model")
                       : tr("Apply %n edit(s)", nullptr, int(edits.edits.size())),
            JobRunner::Pool::Device, QStringLiteral("edits")},
        this,
        [original, records, edits](JobContext& job) {
            Edited result;
            result.edits = edits;
            if (edits.empty())
                return result;
            job.progress.report(0.2, "editing a copy of the weights");
            if (std::any_of(edits.edits.begin(), edits.edits.end(), [](const ModelEdit& e) {
                    return e.kind == ModelEdit::Kind::MeanUnit && e.value == 0;
                })) {
                if (!records)
                    throw Error("mean ablation reads the dataset scan, but the model's workspace "
                                "could not be opened");
                fillScanMeans(result.edits, *records, *original);
            }
            result.model = std::shared_ptr<Model>(loupe::applyEdits(*original, result.edits));
            try {
                const std::string hash = result.model->hash();
                result.workspace = Workspace::open(
                    Workspace::fileForModel(Workspace::defaultDataDirectory(), hash), hash);
            } catch (const std::exception&) {
                // Without a cache the edited model still works.
            }
            return result;
        },
        [this, done = std::move(done)](const Edited& result) {
            if (result.edits.empty()) {
                if (original_) {
                    model_ = original_;
                    workspace_ = originalWorkspace_;
                }
                original_.reset();
                originalWorkspace_.reset();
            } else {
                if (!original_) {
                    original_ = model_;
                    originalWorkspace_ = workspace_;
                }
                model_ = result.model;
                workspace_ = result.workspace;
            }
            edits_ = result.edits;
            emit editsChanged();
            done(result.edits);
        },
        std::move(failed));
}

void ModelSession::publishActivations(const LayerActivations& activations)
{
    emit activationsChanged(activations);
}

void ModelSession::publishScanSummaries(const std::vector<LayerScanSummary>& summaries)
{
    hasScan_ = !summaries.empty();
    emit scanChanged(summaries);
}

}  // namespace loupe::app
