#include "app/modules/activations_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/settings.h"
#include "widgets/activations_panel.h"
#include "widgets/unit_selection.h"

namespace loupe::app {

ActivationsModule::ActivationsModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::ActivationsPanel(context.panels))
{
    ModelSession* session = context.session;
    panel_->setSharedScale(Settings().sharedActivationScale());
    connect(panel_, &widgets::ActivationsPanel::sharedScaleChanged, this,
        [](bool shared) { Settings().setSharedActivationScale(shared); });
    connect(panel_, &widgets::ActivationsPanel::preReluChanged, this, &ActivationsModule::refresh);
    connect(context.panels.selection, &widgets::UnitSelection::layerChanged, this,
        &ActivationsModule::refresh);
    connect(session, &ModelSession::imageChanged, this, &ActivationsModule::refresh);
    connect(session, &ModelSession::deviceChanged, this, &ActivationsModule::refresh);
    connect(session, &ModelSession::editsChanged, this, &ActivationsModule::refresh);
    connect(session, &ModelSession::modelLoaded, this, [this, session] {
        panel_->clearActivations(
            session->hasImage() ? QString() : tr("Open an image to see this layer's activations."));
    });
}

QList<ModuleDock> ActivationsModule::docks() const
{
    return {{panel_, tr("Activations"), QStringLiteral("activations"), DockGroup::Image,
        tr("Activations…")}};
}

void ActivationsModule::refresh()
{
    ModelSession* session = context().session;
    const QString layer = context().panels.selection->layer();
    if (layer.isEmpty() || !session->hasModel() || !session->hasImage())
        return;
    panel_->setStatus(tr("Computing %1…").arg(layer));
    auto model = session->model();
    const RgbImage image = session->image();
    const std::string name = layer.toStdString();
    const bool preRelu = panel_->preRelu();
    context().jobs->submit(
        {tr("Activations of %1").arg(layer), JobRunner::Pool::Device,
            QStringLiteral("activations")},
        this,
        [model, image, name, preRelu](JobContext& job) {
            job.progress.report(0.2, "forward pass");
            return computeActivations(*model, image, name, preRelu, 5);
        },
        [this, session](const LayerActivations& a) {
            panel_->setActivations(a);
            session->publishActivations(a);
        },
        [this, layer](const QString& message) {
            panel_->clearActivations(tr("%1: %2").arg(layer, message));
        });
}

}  // namespace loupe::app
