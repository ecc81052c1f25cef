#include "app/modules/neuron_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/colormap.h"
#include "core/featurevis_cache.h"
#include "widgets/neuron_panel.h"

#include <algorithm>

namespace loupe::app {

NeuronModule::NeuronModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::NeuronPanel(context.panels))
{
    connect(panel_, &widgets::NeuronPanel::renderRequested, this, &NeuronModule::requestFeatureVis);
    connect(panel_, &widgets::NeuronPanel::renderLayerRequested, this,
        &NeuronModule::requestLayerFeatureVis);
    connect(this, &NeuronModule::featureVisProgress, panel_, &widgets::NeuronPanel::showProgress);
    connect(this, &NeuronModule::featureVisReady, panel_, &widgets::NeuronPanel::showResult);
    connect(this, &NeuronModule::featureVisFailed, panel_, &widgets::NeuronPanel::showFailure);
    connect(this, &NeuronModule::layerChannelReady, panel_,
        [this](const QString&, int channel, const RgbImage& image) {
            panel_->showLayerChannel(channel, image);
        });
    // Feature visualizations at about the model's own scale, capped for CPU latency.
    connect(context.session, &ModelSession::modelLoaded, this, [this] {
        panel_->setDefaultSize(std::clamp(this->context().session->inputSize() * 3 / 2, 64, 128));
    });
}

QList<ModuleDock> NeuronModule::docks() const
{
    return {{panel_, tr("Neuron"), QStringLiteral("neuron"), DockGroup::Unit,
        tr("Feature Visualization…")}};
}

void NeuronModule::requestFeatureVis(
    const FeatureVisConfig& positive, const FeatureVisConfig& negative)
{
    if (!context().session->hasModel())
        return;
    submit(positive);
    if (negative.steps > 0)
        submit(negative);
}

void NeuronModule::submit(const FeatureVisConfig& config)
{
    auto model = context().session->model();
    auto workspace = context().session->workspace();
    const bool negative = config.negative;
    const int generation = ++generation_[negative];
    const QString unit = QString::fromStdString(
        config.objective.empty() ? std::string() : config.objective.front().toString());
    struct Rendered {
        FeatureVisResult result;
        bool fromCache = false;
    };
    context().jobs->submit(
        {tr("Feature vis %1%2").arg(unit, negative ? tr(" (negative)") : QString()),
            JobRunner::Pool::Device,
            negative ? QStringLiteral("featurevis-") : QStringLiteral("featurevis+"),
            JobRunner::Priority::User, JobRunner::Preemption::AtSteps},
        this,
        [this, model, workspace, config, negative, generation](JobContext& job) {
            if (workspace)
                if (auto cached = cachedFeatureVisResult(*workspace, config))
                    return Rendered{*cached, true};
            const auto preview = [this, &job, negative, generation](
                                     const std::vector<RgbImage>& images, int step,
                                     float objective) {
                const RgbImage image = images.size() == 1
                    ? images.front()
                    : tileGrid(images, int(images.size()), images.front().width, 2, 255);
                job.post([this, negative, generation, image, step, objective] {
                    if (generation_[negative] == generation)
                        emit featureVisProgress(negative, image, step, objective);
                });
            };
            FeatureVisResult result = renderFeatureVis(*model, config, job.progress, preview);
            if (result.images.size() > 1)  // a diversity batch is shown side by side
                result.images = {tileGrid(
                    result.images, int(result.images.size()), result.images.front().width, 2, 255)};
            if (workspace && result.warning.empty() && !result.images.empty())
                storeFeatureVisResult(*workspace, config, result);
            return Rendered{result, false};
        },
        [this, negative, generation](const Rendered& r) {
            if (generation_[negative] == generation)
                emit featureVisReady(negative, r.result, r.fromCache);
        },
        [this](const QString& message) { emit featureVisFailed(message); });
}

void NeuronModule::requestLayerFeatureVis(const FeatureVisConfig& base, const QString& layer)
{
    auto model = context().session->model();
    if (!model)
        return;
    auto workspace = context().session->workspace();
    const std::string name = layer.toStdString();
    int channels = 0;
    try {
        channels = int(model->layer(name).channels());
    } catch (const std::exception& e) {
        emit featureVisFailed(QString::fromStdString(e.what()));
        return;
    }
    panel_->startLayer(layer, channels);
    context().jobs->submit(
        {tr("Feature vis of layer %1").arg(layer), JobRunner::Pool::Device,
            QStringLiteral("layer-featurevis"), JobRunner::Priority::User,
            JobRunner::Preemption::AtSteps},
        this,
        [this, model, workspace, base, name, layer](JobContext& job) {
            renderLayerFeatureVis(*model, workspace.get(), base, name, 16, job.progress,
                [this, &job, layer](int channel, const RgbImage& image) {
                    job.post([this, layer, channel, image] {
                        emit layerChannelReady(layer, channel, image);
                    });
                });
        },
        [] {}, [this](const QString& message) { emit featureVisFailed(message); });
}

}  // namespace loupe::app
