#include "app/saved_records.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/named_directions.h"
#include "core/named_records.h"
#include "core/unit_family.h"
#include "core/workspace.h"

#include <QUndoStack>

namespace loupe::app {

SavedRecords::SavedRecords(
    ModelSession* session, JobRunner* jobs, QUndoStack* undo, QObject* parent)
    : QObject(parent), session_(session), jobs_(jobs), undo_(undo)
{
    // Each model's records live in its own workspace: the previous model's saves cannot be undone.
    connect(session_, &ModelSession::modelLoaded, this, &SavedRecords::startOver);
    connect(session_, &ModelSession::workspaceChanged, this, &SavedRecords::startOver);
}

void SavedRecords::startOver()
{
    undo_->clear();
    refreshFamilies();
}

void SavedRecords::saveFamily(const QString& name, const QString& layer, const QList<int>& channels,
    QObject* receiver, std::function<void(const QString&)> failed)
{
    auto workspace = session_->recordsWorkspace();
    if (!workspace) {
        failed(tr("families are kept in the workspace, which could not be opened"));
        return;
    }
    UnitFamily family;
    family.name = name.toStdString();
    family.layer = session_->model() ? session_->model()->layer(layer.toStdString()).path
                                     : layer.toStdString();
    family.channels.assign(channels.begin(), channels.end());
    // On the device worker: the workspace is written by device jobs, one at a time.
    jobs_->submit(
        {tr("Save family %1").arg(name)}, receiver,
        [workspace, family](JobContext&) {
            RecordChange change{kFamilyRecords, family.name,
                storedRecord(*workspace, kFamilyRecords, family.name), {}};
            loupe::saveFamily(*workspace, family);
            change.saved =
                storedRecord(*workspace, kFamilyRecords, family.name).value_or(std::string());
            return change;
        },
        [this](RecordChange change) {
            refreshFamilies();
            undo_->push(new SavedRecordCommand(this, std::move(change)));
        },
        std::move(failed));
}

void SavedRecords::saveDirection(const QString& name, const QString& layer,
    const std::vector<float>& direction, QObject* receiver,
    std::function<void(const QString&)> saved, std::function<void(const QString&)> failed)
{
    auto workspace = session_->recordsWorkspace();
    if (!workspace) {
        failed(tr("directions are kept in the workspace, which could not be opened"));
        return;
    }
    NamedDirection d{name.toStdString(), layer.toStdString(), direction};
    jobs_->submit(
        {tr("Save direction %1").arg(name)}, receiver,
        [workspace, d](JobContext&) {
            RecordChange change{
                kDirectionRecords, d.name, storedRecord(*workspace, kDirectionRecords, d.name), {}};
            loupe::saveDirection(*workspace, d);
            change.saved =
                storedRecord(*workspace, kDirectionRecords, d.name).value_or(std::string());
            return change;
        },
        [this, name, saved = std::move(saved)](RecordChange change) {
            undo_->push(new SavedRecordCommand(this, std::move(change)));
            saved(name);
        },
        std::move(failed));
}

void SavedRecords::restore(const RecordChange& change, const std::optional<std::string>& bytes)
{
    auto workspace = session_->recordsWorkspace();
    if (!workspace)
        return;
    jobs_->submit(
        {tr("Restore %1 %2")
                .arg(QString::fromStdString(change.kind), QString::fromStdString(change.name))},
        this,
        [workspace, change, bytes](
            JobContext&) { loupe::restoreRecord(*workspace, change.kind, change.name, bytes); },
        [this] { refreshFamilies(); },
        [this](const QString& message) { emit restoreFailed(message); });
}

void SavedRecords::refreshFamilies()
{
    auto workspace = session_->recordsWorkspace();
    if (!workspace) {
        emit familiesChanged({});
        return;
    }
    jobs_->submit(
        {tr("Read families")}, this,
        [workspace](JobContext&) {
            QMap<QString, QString> families;
            for (const auto& name : familyNames(*workspace))
                families.insert(QString::fromStdString(name),
                    QString::fromStdString(loadFamily(*workspace, name).toString()));
            return families;
        },
        [this](const QMap<QString, QString>& families) { emit familiesChanged(families); });
}

}  // namespace loupe::app
