#include "app/saved_record_command.h"

#include "app/saved_records.h"
#include "core/named_records.h"

#include <QCoreApplication>

namespace loupe::app {

SavedRecordCommand::SavedRecordCommand(SavedRecords* records, RecordChange change)
    : records_(records), change_(std::move(change))
{
    const QString what = change_.kind == kFamilyRecords
        ? QCoreApplication::translate("SavedRecordCommand", "family")
        : QCoreApplication::translate("SavedRecordCommand", "direction");
    setText(QCoreApplication::translate("SavedRecordCommand", "save %1 %2")
                .arg(what, QString::fromStdString(change_.name)));
}

void SavedRecordCommand::undo()
{
    records_->restore(change_, change_.previous);
    done_ = false;
}

void SavedRecordCommand::redo()
{
    if (done_)
        return;  // pushed after the save itself
    records_->restore(change_, change_.saved);
    done_ = true;
}

}  // namespace loupe::app
