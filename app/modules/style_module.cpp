#include "app/modules/style_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/image_experiment_store.h"
#include "core/image_io.h"
#include "core/input_geometry.h"
#include "widgets/qt_image.h"
#include "widgets/style_panel.h"

namespace loupe::app {

StyleModule::StyleModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::StylePanel(context.panels))
{
    connect(panel_, &widgets::StylePanel::styleRequested, this, &StyleModule::requestStyle);
    connect(this, &StyleModule::styleReady, panel_, &widgets::StylePanel::showResult);
    connect(this, &StyleModule::styleFailed, panel_, &widgets::StylePanel::clearResult);
}

QList<ModuleDock> StyleModule::docks() const
{
    return {{panel_, tr("Style Transfer"), QStringLiteral("style"), DockGroup::Image,
        tr("Style Transfer…")}};
}

void StyleModule::requestStyle(const QString& stylePath, const StyleConfig& config)
{
    ModelSession* session = context().session;
    if (!session->hasModel() || !session->hasImage()) {
        emit styleFailed(tr("Open an image first: it is the content."));
        return;
    }
    auto model = session->model();
    auto workspace = session->workspace();
    const RgbImage content = session->image();
    const int size = session->inputSize();
    panel_->start(widgets::toQImage(resizeAndCenterCrop(content, size)), QImage());
    const std::string path = stylePath.toStdString();
    context().jobs->submit(
        {tr("Style transfer"), JobRunner::Pool::Device, QStringLiteral("style")}, this,
        [this, model, workspace, content, path, config, size](JobContext& job) {
            const RgbImage style = loadImage(path);  // a broken file: the job fails, says why
            job.post([this, content, style, size] {
                panel_->start(widgets::toQImage(resizeAndCenterCrop(content, size)),
                    widgets::toQImage(resizeAndCenterCrop(style, size)));
            });
            return cachedStyleTransfer(*model, workspace.get(), content, style, config,
                job.progress, [this, &job](const RgbImage& preview, int step, float c, float s) {
                    job.post([this, preview, step, c, s] {
                        panel_->showProgress(widgets::toQImage(preview), step, c, s);
                    });
                });
        },
        [this](const StyleTransfer& result) { emit styleReady(result); },
        [this](const QString& message) { emit styleFailed(message); },
        [this] { emit styleFailed(tr("cancelled")); });
}

}  // namespace loupe::app
