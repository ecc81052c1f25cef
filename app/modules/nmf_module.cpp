#include "app/modules/nmf_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "app/saved_records.h"
#include "core/featurevis_cache.h"
#include "core/nmf_workflow.h"
#include "widgets/nmf_panel.h"

namespace loupe::app {
namespace {

constexpr int kMaxFolderImages =
    64;  // evenly spread over the folder: NMF cost grows with positions

}  // namespace

NmfModule::NmfModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::NmfPanel(context.panels))
{
    connect(panel_, &widgets::NmfPanel::nmfRequested, this, &NmfModule::requestFactors);
    saveDirectionsOf(panel_, this, context.records);
    connect(this, &NmfModule::nmfFactorsReady, panel_, &widgets::NmfPanel::setFactors);
    connect(this, &NmfModule::nmfFactorImagesReady, panel_, &widgets::NmfPanel::setFactorImages);
    connect(this, &NmfModule::nmfFailed, panel_, &widgets::NmfPanel::clearFactors);
}

QList<ModuleDock> NmfModule::docks() const
{
    return {{panel_, tr("NMF"), QStringLiteral("nmf"), DockGroup::Unit, tr("NMF Factors…")}};
}

void NmfModule::requestFactors(const QString& layer, int k, const QString& folder)
{
    ModelSession* session = context().session;
    if (!session->hasModel() || (folder.isEmpty() && !session->hasImage())) {
        emit nmfFailed(tr("Open an image (or choose a folder) first."));
        return;
    }
    auto model = session->model();
    const RgbImage image = session->image();
    const std::string name = layer.toStdString(), folderPath = folder.toStdString();
    const QString source = folder.isEmpty() ? tr("this image") : folder;
    context().jobs->submit(
        {tr("NMF of %1 (k = %2, %3)").arg(layer).arg(k).arg(source), JobRunner::Pool::Device,
            QStringLiteral("nmf-dock")},
        this,
        [=](JobContext& job) {
            const FolderFactors result = folderPath.empty()
                ? factorizeImages(*model, {image}, name, k, job.progress)
                : factorizeFolder(*model, folderPath, kMaxFolderImages, name, k, job.progress);
            job.post([this, result, source] {
                emit nmfFactorsReady(result.factors, result.overlay, result.images, source);
            });
            Progress rendering(
                [&](double f, const std::string& text) {
                    job.progress.report(0.4 + 0.6 * f, "rendering factors: " + text);
                },
                job.progress);
            return renderFactorDirections(*model, result.factors, thumbnailConfig(), rendering);
        },
        [this](const std::vector<RgbImage>& images) { emit nmfFactorImagesReady(images); },
        [this](const QString& message) { emit nmfFailed(message); },
        [this] { emit nmfFailed(tr("cancelled")); });
}

}  // namespace loupe::app
