// ModelSession's NMF dock jobs: factors of a layer over the image or a folder, their feature
// visualizations, and saving a factor as a named direction.
#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/error.h"
#include "core/featurevis_cache.h"
#include "core/image_folder.h"
#include "core/named_directions.h"
#include "core/nmf.h"
#include "core/named_records.h"
#include "core/workspace.h"
#include "core/colormap.h"

#include <QPointer>

#include <thread>

namespace loupe::app {
namespace {

constexpr int kMaxFolderImages = 64;  // evenly spread over the folder: NMF cost grows with positions

} // namespace

void ModelSession::requestNmfFactors(const QString& layer, int k, const QString& folder)
{
    if (!model_ || (folder.isEmpty() && image_.empty())) {
        emit nmfFailed(tr("Open an image (or choose a folder) first."));
        return;
    }
    auto model = model_;
    const RgbImage image = image_;
    const std::string name = layer.toStdString(), folderPath = folder.toStdString();
    const QString source = folder.isEmpty() ? tr("this image") : folder;
    QPointer<ModelSession> self(this);
    runner_->submit(
        tr("NMF of %1 (k = %2, %3)").arg(layer).arg(k).arg(source), JobRunner::Pool::Device,
        [=](Progress& progress) -> std::any {
            std::vector<RgbImage> images;
            if (folderPath.empty()) {
                images.push_back(image);
            } else {
                const auto files = evenlySpread(listImages(folderPath), kMaxFolderImages);
                const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
                for (size_t begin = 0; begin < files.size(); begin += 16) {
                    progress.checkCancelled();
                    const size_t end = std::min(files.size(), begin + 16);
                    for (auto& decoded : decodeImages(folderPath, files, begin, end, model->metadata().input.size, threads))
                        if (decoded.error.empty())  // unreadable files are skipped, as in a scan
                            images.push_back(std::move(decoded.image));
                    progress.report(0.1 * double(end) / double(files.size()), "reading " + std::to_string(end) + "/" +
                                                                               std::to_string(files.size()) + " images");
                }
                if (images.empty())
                    throw Error("no readable image in '" + folderPath + "'");
            }
            Progress factorising([&](double f, const std::string& text) { progress.report(0.1 + 0.3 * f, text); }, progress);
            const LayerFactors factors = factorizeLayer(*model, images, name, k, 300, 0, &factorising);
            // The overlay: the image, or the first few of the folder side by side.
            std::vector<RgbImage> overlays;
            for (size_t i = 0; i < images.size() && i < 4; ++i)
                overlays.push_back(nmfOverlay(images[i], model->metadata().input.size, factors, factors.maps[i]));
            const int size = model->metadata().input.size;
            const RgbImage overlay = overlays.size() == 1 ? overlays.front() : tileGrid(overlays, 2, size, 2, 255);
            const int count = int(images.size());
            QMetaObject::invokeMethod(
                self, [self, factors, overlay, count, source] { if (self) emit self->nmfFactorsReady(factors, overlay, count, source); },
                Qt::QueuedConnection);
            Progress rendering([&](double f, const std::string& text) { progress.report(0.4 + 0.6 * f, "rendering factors: " + text); },
                               progress);
            return renderFactorDirections(*model, factors, thumbnailConfig(), rendering);
        },
        this,
        {[this](std::any result) { emit nmfFactorImagesReady(std::any_cast<std::vector<RgbImage>>(result)); },
         [this](const QString& message) { emit nmfFailed(message); },
         [this] { emit nmfFailed(tr("cancelled")); }},
        QStringLiteral("nmf-dock"));
}

void ModelSession::saveNamedDirection(const QString& name, const QString& layer, const std::vector<float>& direction)
{
    if (!workspace_) {
        emit nmfFailed(tr("directions are kept in the workspace, which could not be opened"));
        return;
    }
    auto workspace = workspace_;
    NamedDirection d{name.toStdString(), layer.toStdString(), direction};
    runner_->submit(
        tr("Save direction %1").arg(name), JobRunner::Pool::Device,
        [workspace, d](Progress&) -> std::any {
            RecordChange change{kDirectionRecords, d.name, storedRecord(*workspace, kDirectionRecords, d.name), {}};
            saveDirection(*workspace, d);
            change.saved = storedRecord(*workspace, kDirectionRecords, d.name).value_or(std::string());
            return change;
        },
        this,
        {[this, name](std::any result) {
             emit directionSaved(name);
             emit recordSaved(std::any_cast<RecordChange>(result));
         },
         [this](const QString& message) { emit nmfFailed(message); },
         {}});
}

} // namespace loupe::app
