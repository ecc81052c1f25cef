#include "app/model_session.h"

#include "app/job_runner.h"
#include "core/builtin_model.h"
#include "core/colormap.h"
#include "core/error.h"
#include "core/activation_grid_vis.h"
#include "core/dataset_scan.h"
#include "core/nmf.h"
#include "core/featurevis_cache.h"
#include "core/attribution_store.h"
#include "core/workspace.h"

#include <QPointer>

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
            std::shared_ptr<Model> model(Model::load(file, device));
            std::shared_ptr<Workspace> workspace;
            try {
                workspace = Workspace::open(Workspace::fileForModel(Workspace::defaultDataDirectory(), model->hash()), model->hash());
            } catch (const std::exception&) {
                // Without a cache everything still works, only slower on repeat visits.
            }
            return std::make_pair(model, workspace);
        },
        this,
        {[this](std::any result) {
             auto loaded = std::any_cast<std::pair<std::shared_ptr<Model>, std::shared_ptr<Workspace>>>(result);
             model_ = loaded.first;
             workspace_ = loaded.second;
             hasScan_ = false;  // until the scan summary is read
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

void ModelSession::requestFeatureVis(const FeatureVisConfig& positive, const FeatureVisConfig& negative)
{
    if (!model_)
        return;
    submitFeatureVis(positive);
    if (negative.steps > 0)
        submitFeatureVis(negative);
}

void ModelSession::submitFeatureVis(const FeatureVisConfig& config)
{
    auto model = model_;
    auto workspace = workspace_;
    const bool negative = config.negative;
    const int generation = ++featureVisGeneration_[negative];
    QPointer<ModelSession> self(this);
    const QString unit = QString::fromStdString(config.objective.empty() ? std::string() : config.objective.front().toString());
    runner_->submit(
        tr("Feature vis %1%2").arg(unit, negative ? tr(" (negative)") : QString()), JobRunner::Pool::Device,
        [model, workspace, config, negative, generation, self](Progress& progress) -> std::any {
            if (workspace)
                if (auto cached = cachedFeatureVisResult(*workspace, config))
                    return std::make_pair(*cached, true);
            const auto preview = [self, negative, generation](const std::vector<RgbImage>& images, int step, float objective) {
                const RgbImage image = images.size() == 1 ? images.front()
                                                          : tileGrid(images, int(images.size()), images.front().width, 2, 255);
                QMetaObject::invokeMethod(
                    self,
                    [self, negative, generation, image, step, objective] {
                        if (self && self->featureVisGeneration_[negative] == generation)
                            emit self->featureVisProgress(negative, image, step, objective);
                    },
                    Qt::QueuedConnection);
            };
            FeatureVisResult result = renderFeatureVis(*model, config, progress, preview);
            if (result.images.size() > 1)  // a diversity batch is shown side by side
                result.images = {tileGrid(result.images, int(result.images.size()), result.images.front().width, 2, 255)};
            if (workspace && result.warning.empty() && !result.images.empty())
                storeFeatureVisResult(*workspace, config, result);
            return std::make_pair(result, false);
        },
        this,
        {[this, negative, generation](std::any result) {
             if (featureVisGeneration_[negative] != generation)
                 return;
             const auto r = std::any_cast<std::pair<FeatureVisResult, bool>>(result);
             emit featureVisReady(negative, r.first, r.second);
         },
         [this](const QString& message) { emit featureVisFailed(message); },
         {}},
        negative ? QStringLiteral("featurevis-") : QStringLiteral("featurevis+"));
}

void ModelSession::requestLayerFeatureVis(const FeatureVisConfig& base, const QString& layer)
{
    if (!model_)
        return;
    auto model = model_;
    auto workspace = workspace_;
    const std::string name = layer.toStdString();
    int channels = 0;
    try {
        channels = int(model_->layer(name).channels());
    } catch (const std::exception& e) {
        emit featureVisFailed(QString::fromStdString(e.what()));
        return;
    }
    emit layerRenderStarted(layer, channels);
    QPointer<ModelSession> self(this);
    runner_->submit(
        tr("Feature vis of layer %1").arg(layer), JobRunner::Pool::Device,
        [model, workspace, base, name, layer, self](Progress& progress) -> std::any {
            renderLayerFeatureVis(*model, workspace.get(), base, name, 16, progress, [self, layer](int channel, const RgbImage& image) {
                QMetaObject::invokeMethod(
                    self, [self, layer, channel, image] { if (self) emit self->layerChannelReady(layer, channel, image); },
                    Qt::QueuedConnection);
            });
            return {};
        },
        this, {{}, [this](const QString& message) { emit featureVisFailed(message); }, {}}, QStringLiteral("layer-featurevis"));
}

void ModelSession::requestThumbnails(const QString& layer, const QList<int>& channels, const QString& requester)
{
    if (!model_ || channels.isEmpty())
        return;
    auto model = model_;
    auto workspace = workspace_;
    const std::string name = layer.toStdString();
    const std::vector<int> wanted(channels.begin(), channels.end());
    QPointer<ModelSession> self(this);
    const auto deliver = [self, layer](int channel, const RgbImage& image) {
        QMetaObject::invokeMethod(
            self, [self, layer, channel, image] { if (self) emit self->thumbnailReady(layer, channel, image); }, Qt::QueuedConnection);
    };
    runner_->submit(
        tr("Thumbnails of %1").arg(layer), JobRunner::Pool::Device,
        [model, workspace, name, wanted, deliver](Progress& progress) -> std::any {
            const FeatureVisConfig base = thumbnailConfig();
            FeatureVisConfig batch = base;
            batch.perImageLayer = name;
            for (int c : wanted) {
                const auto cached = workspace ? channelPicture(*workspace, name, c) : std::nullopt;
                if (cached)
                    deliver(c, *cached);
                else
                    batch.perImageChannels.push_back(c);
            }
            if (batch.perImageChannels.empty())
                return {};
            const FeatureVisResult result = renderFeatureVis(*model, batch, progress);
            for (size_t i = 0; i < result.images.size(); ++i) {
                const int c = batch.perImageChannels[i];
                if (workspace)
                    storeFeatureVis(*workspace, channelConfig(base, name, c), result.images[i]);
                deliver(c, result.images[i]);
            }
            return {};
        },
        this, {{}, [this](const QString& message) { emit featureVisFailed(message); }, {}}, QStringLiteral("thumbnails:") + requester);
}

// A figure of the current image computed on the device worker, shown by title.
void ModelSession::submitImageFigure(const QString& title, const QString& supersede,
                                     std::function<Figure(Model&, const RgbImage&, Progress&)> figure)
{
    if (!model_ || image_.empty())
        return;
    auto model = model_;
    const RgbImage image = image_;
    runner_->submit(
        title, JobRunner::Pool::Device,
        [model, image, figure = std::move(figure)](Progress& progress) -> std::any { return figure(*model, image, progress); },
        this,
        {[this, title](std::any result) {
             const auto f = std::any_cast<Figure>(result);
             emit figureReady(title, f.image, f.columns, f.rows);
         },
         [this](const QString& message) { emit featureVisFailed(message); },
         {}},
        supersede);
}

void ModelSession::requestActivationGrid(const QString& layer, int maxCells)
{
    const std::string name = layer.toStdString();
    submitImageFigure(tr("Activation grid of %1").arg(layer), QStringLiteral("activation-grid"),
                      [name, maxCells](Model& model, const RgbImage& image, Progress& progress) {
                          FeatureVisConfig base = thumbnailConfig();
                          base.size = 64;
                          const ActivationGridVis grid = renderActivationGrid(model, image, name, maxCells, base, progress);
                          return Figure{grid.mosaic, grid.columns, grid.rows};
                      });
}

void ModelSession::requestNmf(const QString& layer, int k)
{
    const std::string name = layer.toStdString();
    submitImageFigure(tr("NMF factors of %1, k = %2 (one colour per factor)").arg(layer).arg(k), QStringLiteral("nmf"),
                      [name, k](Model& model, const RgbImage& image, Progress& progress) {
                          const LayerFactors f = factorizeLayer(model, {image}, name, k, 300, 0, &progress);
                          return Figure{nmfOverlay(image, model.metadata().input.size, f, f.maps.front()), 0, 0};
                      });
}

void ModelSession::requestAttribution(const QStringList& methods, const QString& target, const QString& layer)
{
    if (!model_ || image_.empty())
        return;
    auto model = model_;
    auto workspace = workspace_;
    const RgbImage image = image_;
    std::vector<std::string> names;
    for (const QString& m : methods)
        names.push_back(m.toStdString());
    const std::string targetText = target.toStdString(), layerName = layer.toStdString();
    QPointer<ModelSession> self(this);
    runner_->submit(
        tr("Attribution (%1)").arg(methods.join(QStringLiteral(", "))), JobRunner::Pool::Device,
        [model, workspace, image, names, targetText, layerName, self](Progress& progress) -> std::any {
            AttributionConfig config;
            config.target = AttributionTarget::parse(targetText);
            config.layer = layerName;
            const bool comparing = names.size() > 1;
            for (size_t i = 0; i < names.size(); ++i) {
                progress.checkCancelled();
                config.method = attributionMethodFromString(names[i]);
                Progress step([&](double f, const std::string& text) { progress.report((double(i) + f) / names.size(), names[i] + ": " + text); },
                              progress);
                const QString method = QString::fromStdString(names[i]);
                try {
                    const AttributionMap map = cachedAttribution(*model, workspace.get(), image, config, step);
                    QMetaObject::invokeMethod(
                        self, [self, method, map] { if (self) emit self->attributionReady(method, map); }, Qt::QueuedConnection);
                } catch (const Cancelled&) {
                    throw;
                } catch (const Error& e) {
                    if (!comparing)
                        throw;
                    // In a comparison a method that cannot take this target or layer says why
                    // in its own cell; the others still run.
                    const QString reason = QString::fromStdString(e.what());
                    QMetaObject::invokeMethod(
                        self, [self, method, reason] { if (self) emit self->attributionUnavailable(method, reason); },
                        Qt::QueuedConnection);
                }
            }
            return {};
        },
        this, {{}, [this](const QString& message) { emit attributionFailed(message); }, {}}, QStringLiteral("attribution"));
}

void ModelSession::scanFolder(const QString& folder, const QStringList& layers)
{
    if (!model_)
        return;
    if (!workspace_) {
        emit scanFailed(tr("the workspace could not be opened, so scan results cannot be stored"));
        return;
    }
    auto model = model_;
    auto workspace = workspace_;
    ScanConfig config;
    config.folder = folder.toStdString();
    for (const QString& l : layers)
        config.layers.push_back(l.toStdString());
    runner_->submit(
        tr("Scan %1").arg(folder), JobRunner::Pool::Device,
        [model, workspace, config](Progress& progress) -> std::any { return loupe::scanFolder(*model, *workspace, config, progress); },
        this,
        {[this](std::any result) {
             const auto summary = std::any_cast<ScanSummary>(result);
             hasScan_ = hasScan_ || summary.scannedNow + summary.alreadyScanned > 0;
             emit scanFinished(tr("Scanned %1 images (%2 already done, %3 skipped) at %4 images/s")
                                   .arg(summary.scannedNow)
                                   .arg(summary.alreadyScanned)
                                   .arg(summary.skipped.size())
                                   .arg(summary.imagesPerSecond, 0, 'f', 1));
         },
         [this](const QString& message) { emit scanFailed(message); },
         [this] { emit scanFinished(tr("Scan cancelled; what was scanned is kept, and scanning again resumes")); }},
        QStringLiteral("scan"));
}

// Known from the scan summary and from finished scans, never read on the GUI thread: a read
// would wait for a scan's save transaction on the device worker.
bool ModelSession::hasScan() const { return hasScan_; }

void ModelSession::requestScanSummaries()
{
    if (!workspace_)
        return;
    auto workspace = workspace_;
    // Reading a scan deserialises every layer's statistics: megabytes, so not on the GUI thread.
    runner_->submit(
        tr("Read scan summary"), JobRunner::Pool::Cpu,
        [workspace](Progress&) -> std::any {
            return scannedFolders(*workspace).empty() ? std::vector<LayerScanSummary>{} : summarizeScan(loadScan(*workspace));
        },
        this, {[this](std::any result) {
                   const auto summaries = std::any_cast<std::vector<LayerScanSummary>>(result);
                   hasScan_ = !summaries.empty();
                   emit scanSummariesReady(summaries);
               },
               {}, {}},
        QStringLiteral("scan-summary"));
}

void ModelSession::requestTopExamples(const QString& layer, const QList<int>& channels)
{
    if (!hasScan() || channels.isEmpty())
        return;
    auto workspace = workspace_;
    const std::string name = model_ ? model_->layer(layer.toStdString()).path : layer.toStdString();
    const std::vector<int> wanted(channels.begin(), channels.end());
    runner_->submit(
        tr("Top examples of %1").arg(layer), JobRunner::Pool::Cpu,
        [workspace, name, wanted](Progress&) -> std::any { return topExampleOfChannels(*workspace, name, wanted, 72); }, this,
        {[this, layer, wanted](std::any result) {
             const auto tiles = std::any_cast<std::vector<ExampleTile>>(result);
             for (size_t i = 0; i < tiles.size(); ++i)
                 if (!tiles[i].image.empty())
                     emit topExampleReady(layer, wanted[i], tiles[i].image);
         },
         {}, {}},
        QStringLiteral("dictionary-examples"));
}

void ModelSession::requestExamples(const QString& layer, int channel, bool wholeImages)
{
    if (!hasScan() || channel < 0)
        return;
    auto workspace = workspace_;
    const std::string name = layer.toStdString();
    runner_->submit(
        tr("Examples of %1:%2").arg(layer).arg(channel), JobRunner::Pool::Cpu,
        [workspace, name, channel, wholeImages, layer](Progress&) -> std::any {
            // A layer the scan did not index is an answer, not a failed job.
            const ScanResults scan = loadScan(*workspace, {}, {name});
            if (!scan.layers.count(name))
                return tr("%1 was not indexed by the dataset scan: Dataset > Scan Folder… with this layer").arg(layer);
            return unitExamples(scan, name, channel, 16, wholeImages, 88);
        },
        this,
        {[this](std::any result) {
             if (const auto* message = std::any_cast<QString>(&result))
                 emit examplesFailed(*message);
             else
                 emit examplesReady(std::any_cast<UnitExamples>(result));
         },
         [this](const QString& message) { emit examplesFailed(message); },
         {}},
        QStringLiteral("examples"));
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
