#include "app/modules/dream_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/image_experiment_store.h"
#include "core/input_geometry.h"
#include "widgets/dream_panel.h"
#include "widgets/qt_image.h"

namespace loupe::app {

DreamModule::DreamModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::DreamPanel(context.panels))
{
    connect(panel_, &widgets::DreamPanel::dreamRequested, this, &DreamModule::requestDream);
    connect(this, &DreamModule::dreamReady, panel_, &widgets::DreamPanel::showResult);
    connect(this, &DreamModule::dreamFailed, panel_, &widgets::DreamPanel::clearResult);
}

QList<ModuleDock> DreamModule::docks() const
{
    return {{panel_, tr("DeepDream"), QStringLiteral("dream"), DockGroup::Image, tr("DeepDream…")}};
}

void DreamModule::requestDream(const DreamConfig& config)
{
    ModelSession* session = context().session;
    if (!session->hasModel() || !session->hasImage()) {
        emit dreamFailed(tr("Open an image first: DeepDream starts from it."));
        return;
    }
    auto model = session->model();
    auto workspace = session->workspace();
    const RgbImage image = session->image();
    const int size = config.size > 0 ? config.size : session->inputSize();
    panel_->start(widgets::toQImage(resizeAndCenterCrop(image, size)),
        QString::fromStdString(config.objective));
    context().jobs->submit(
        {tr("DeepDream %1").arg(QString::fromStdString(config.objective)), JobRunner::Pool::Device,
            QStringLiteral("dream")},
        this,
        [this, model, workspace, image, config](JobContext& job) {
            return cachedDream(*model, workspace.get(), image, config, job.progress,
                [this, &job](const RgbImage& preview, int step, float value) {
                    job.post([this, preview, step, value] {
                        panel_->showProgress(widgets::toQImage(preview), step, value);
                    });
                });
        },
        [this](const Dream& dream) { emit dreamReady(dream); },
        [this](const QString& message) { emit dreamFailed(message); },
        [this] { emit dreamFailed(tr("cancelled")); });
}

}  // namespace loupe::app
