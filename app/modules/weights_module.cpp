#include "app/modules/weights_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/weights.h"
#include "widgets/unit_selection.h"
#include "widgets/weights_panel.h"

namespace loupe::app {

WeightsModule::WeightsModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::WeightsPanel(context.panels))
{
    connect(context.panels.selection, &widgets::UnitSelection::layerChanged, this,
        &WeightsModule::refresh);
    connect(context.session, &ModelSession::deviceChanged, this, &WeightsModule::refresh);
    connect(context.session, &ModelSession::editsChanged, this, &WeightsModule::refresh);
    connect(context.session, &ModelSession::modelLoaded, this,
        [this] { panel_->clearWeights(QString()); });
}

QList<ModuleDock> WeightsModule::docks() const
{
    return {{panel_, tr("Weights"), QStringLiteral("weights"), DockGroup::Image, tr("Weights…")}};
}

void WeightsModule::refresh()
{
    const QString layer = context().panels.selection->layer();
    auto model = context().session->model();
    if (layer.isEmpty() || !model)
        return;
    const std::string name = layer.toStdString();
    context().jobs->submit(
        {tr("Weights of %1").arg(layer), JobRunner::Pool::Device, QStringLiteral("weights")}, this,
        [model, name](JobContext&) { return layerWeightsIfAny(*model, name); },
        [this](const LayerWeights& weights) { panel_->setWeights(weights); },
        [this, layer](
            const QString& message) { panel_->clearWeights(tr("%1: %2").arg(layer, message)); });
}

}  // namespace loupe::app
