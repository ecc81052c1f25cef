#include "app/thumbnail_service.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/featurevis.h"
#include "core/featurevis_cache.h"

namespace loupe::app {

ThumbnailService::ThumbnailService(ModelSession* session, JobRunner* jobs, QObject* parent)
    : QObject(parent), session_(session), jobs_(jobs)
{
}

void ThumbnailService::request(const QString& layer, const QList<int>& channels,
    const QString& requester, QObject* receiver, Delivered delivered,
    std::function<void(const QString&)> failed)
{
    auto model = session_->model();
    if (!model || channels.isEmpty())
        return;
    auto workspace = session_->workspace();
    const std::string name = layer.toStdString();
    const std::vector<int> wanted(channels.begin(), channels.end());
    jobs_->submit(
        {tr("Thumbnails of %1").arg(layer), JobRunner::Pool::Device,
            QStringLiteral("thumbnails:") + requester, JobRunner::Priority::User,
            JobRunner::Preemption::AtSteps},
        receiver,
        [model, workspace, name, wanted, layer, delivered](JobContext& job) {
            const auto deliver = [&job, layer, delivered](int channel, const RgbImage& image) {
                job.post([layer, delivered, channel, image] { delivered(layer, channel, image); });
            };
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
                return;
            const FeatureVisResult result = renderFeatureVis(*model, batch, job.progress);
            for (size_t i = 0; i < result.images.size(); ++i) {
                const int c = batch.perImageChannels[i];
                if (workspace)
                    storeFeatureVis(*workspace, channelConfig(base, name, c), result.images[i]);
                deliver(c, result.images[i]);
            }
        },
        [] {}, std::move(failed));
}

}  // namespace loupe::app
