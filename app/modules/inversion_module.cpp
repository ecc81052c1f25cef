#include "app/modules/inversion_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/input_geometry.h"
#include "core/inversion_store.h"
#include "widgets/inversion_panel.h"
#include "widgets/qt_image.h"

namespace loupe::app {

InversionModule::InversionModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::InversionPanel(context.panels))
{
    connect(panel_, &widgets::InversionPanel::inversionRequested, this,
        &InversionModule::requestInversion);
    connect(this, &InversionModule::inversionReady, panel_, &widgets::InversionPanel::showResult);
    connect(this, &InversionModule::inversionFailed, panel_, &widgets::InversionPanel::clearResult);
}

QList<ModuleDock> InversionModule::docks() const
{
    return {{panel_, tr("Inversion"), QStringLiteral("inversion"), DockGroup::Image,
        tr("Feature Inversion…")}};
}

void InversionModule::requestInversion(const QStringList& layers, int steps, double totalVariation)
{
    ModelSession* session = context().session;
    if (!session->hasModel() || !session->hasImage()) {
        emit inversionFailed(tr("Open an image first: inversion reconstructs it."));
        return;
    }
    auto model = session->model();
    auto workspace = session->workspace();
    const RgbImage image = session->image();
    InversionConfig config;
    for (const QString& l : layers)
        config.layers.push_back(l.toStdString());
    config.steps = steps;
    config.totalVariation = float(totalVariation);
    panel_->start(widgets::toQImage(resizeAndCenterCrop(image, session->inputSize())), layers);
    context().jobs->submit(
        {tr("Inversion of %1").arg(layers.join(QStringLiteral(", "))), JobRunner::Pool::Device,
            QStringLiteral("inversion")},
        this,
        [this, model, workspace, image, config](JobContext& job) {
            return cachedInversion(*model, workspace.get(), image, config, job.progress,
                [this, &job](int layer, const RgbImage& preview, int step, float error) {
                    job.post([this, layer, preview, step, error] {
                        panel_->showProgress(layer, widgets::toQImage(preview), step, error);
                    });
                });
        },
        [this](const Inversion& inversion) { emit inversionReady(inversion); },
        [this](const QString& message) { emit inversionFailed(message); },
        [this] { emit inversionFailed(tr("cancelled")); });
}

}  // namespace loupe::app
