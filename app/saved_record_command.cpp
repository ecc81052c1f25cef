#include "app/saved_record_command.h"

#include "app/model_session.h"
#include "core/named_records.h"

#include <QCoreApplication>

namespace loupe::app {

SavedRecordCommand::SavedRecordCommand(ModelSession* session, RecordChange change)
    : session_(session), change_(std::move(change))
{
    const QString what = change_.kind == kFamilyRecords ? QCoreApplication::translate("SavedRecordCommand", "family")
                                                  : QCoreApplication::translate("SavedRecordCommand", "direction");
    setText(QCoreApplication::translate("SavedRecordCommand", "save %1 %2").arg(what, QString::fromStdString(change_.name)));
}

void SavedRecordCommand::undo()
{
    session_->restoreRecord(change_, change_.previous);
    done_ = false;
}

void SavedRecordCommand::redo()
{
    if (done_)
        return;  // pushed after the save itself
    session_->restoreRecord(change_, change_.saved);
    done_ = true;
}

} // namespace loupe::app
