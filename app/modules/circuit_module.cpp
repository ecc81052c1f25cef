#include "app/modules/circuit_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/thumbnail_service.h"
#include "widgets/circuit_panel.h"
#include "widgets/qt_image.h"

namespace loupe::app {

CircuitModule::CircuitModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::CircuitPanel(context.panels))
{
    connect(panel_, &widgets::CircuitPanel::circuitRequested, this, &CircuitModule::requestCircuit);
    connect(panel_, &widgets::CircuitPanel::cutKernelRequested, this,
        [this](const QString& layer, int channel, int input) {
            ModelEdit cut;
            cut.kind = ModelEdit::Kind::CutWeights;
            cut.layer = layer.toStdString();
            cut.channel = channel;
            cut.inputChannel = input;
            this->context().session->proposeEdit(cut);
        });
    connect(this, &CircuitModule::circuitReady, panel_, &widgets::CircuitPanel::setCircuit);
    connect(this, &CircuitModule::circuitFailed, panel_, &widgets::CircuitPanel::clearCircuit);
    connect(panel_, &widgets::CircuitPanel::thumbnailsWanted, this,
        [this](const QString& layer, const QList<int>& channels) {
            this->context().thumbnails->request(
                layer, channels, QStringLiteral("circuit"), this,
                [this](const QString& l, int channel, const RgbImage& image) {
                    panel_->setThumbnail(l, channel, widgets::toQImage(image));
                },
                [this](const QString& message) {
                    panel_->setStatus(tr("Thumbnails: %1").arg(message));
                });
        });
}

QList<ModuleDock> CircuitModule::docks() const
{
    return {{panel_, tr("Circuit"), QStringLiteral("circuit"), DockGroup::Unit, tr("Circuit…")}};
}

void CircuitModule::requestCircuit(
    const QString& layer, int channel, int k, const QString& fromLayer)
{
    ModelSession* session = context().session;
    if (!session->hasModel() || !session->hasImage()) {
        emit circuitFailed(tr("Open an image first: circuits are computed on it."));
        return;
    }
    auto model = session->model();
    const RgbImage image = session->image();
    const std::string name = layer.toStdString(), from = fromLayer.toStdString();
    context().jobs->submit(
        {tr("Circuit of %1:%2").arg(layer).arg(channel), JobRunner::Pool::Device,
            QStringLiteral("circuit")},
        this,
        [=](JobContext&) {
            return from.empty() ? circuitContributions(*model, image, name, channel, -1, -1, k)
                                : circuitByGradient(*model, image, name, channel, -1, -1, from, k);
        },
        [this](const CircuitResult& circuit) { emit circuitReady(circuit); },
        [this](const QString& message) { emit circuitFailed(message); });
}

}  // namespace loupe::app
