#include "app/modules/timeline_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/training_timeline.h"
#include "core/workspace.h"
#include "widgets/timeline_panel.h"
#include "widgets/unit_selection.h"

#include <QDir>
#include <QFileInfo>

namespace loupe::app {

TimelineModule::TimelineModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::TimelinePanel(context.panels))
{
    connect(
        panel_, &widgets::TimelinePanel::timelineRequested, this, &TimelineModule::requestTimeline);
    connect(this, &TimelineModule::failed, panel_, &widgets::TimelinePanel::clearResult);
    // The built-in model keeps its checkpoints beside it: offer them.
    connect(context.session, &ModelSession::modelLoaded, this, [this] {
        const QDir dir = QFileInfo(this->context().session->modelPath()).dir();
        if (panel_->folder().isEmpty() && dir.exists(QStringLiteral("checkpoints")))
            panel_->setFolder(dir.filePath(QStringLiteral("checkpoints")));
    });
}

QList<ModuleDock> TimelineModule::docks() const
{
    return {{panel_, tr("Timeline"), QStringLiteral("timeline"), DockGroup::Unit, tr("Timeline…")}};
}

void TimelineModule::requestTimeline(const QString& folder, const QString& examplesFolder)
{
    auto* selection = context().panels.selection;
    if (selection->layer().isEmpty() || selection->channel() < 0) {
        emit failed(tr("Select a unit first: the timeline follows one unit."));
        return;
    }
    TimelineConfig config;
    config.layer = selection->layer().toStdString();
    config.channel = selection->channel();
    config.examplesFolder = examplesFolder.toStdString();
    config.dataDirectory = Workspace::defaultDataDirectory();
    config.featureVisSize = std::clamp(context().session->inputSize() * 3 / 2, 64, 128);
    const std::string dir = folder.toStdString();
    const QString unit = QStringLiteral("%1:%2").arg(selection->layer()).arg(selection->channel());
    panel_->startTimeline(unit, 0);
    context().jobs->submit(
        {tr("Timeline of %1").arg(unit), JobRunner::Pool::Device, QStringLiteral("timeline")}, this,
        [this, config, dir, unit](JobContext& job) {
            const auto checkpoints = listCheckpoints(dir);
            job.post([this, unit, n = int(checkpoints.size())] { panel_->startTimeline(unit, n); });
            return buildTimeline(checkpoints, config, job.progress,
                [this, &job](const TimelineFrame& frame) {
                    job.post([this, frame] { panel_->addFrame(frame); });
                })
                .size();
        },
        [this](size_t) {
            panel_->finishTimeline();
            emit timelineReady();
        },
        [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

}  // namespace loupe::app
