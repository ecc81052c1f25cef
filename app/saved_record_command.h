#pragma once

#include <QUndoCommand>

#include <optional>
#include <string>

namespace loupe::app {

class SavedRecords;

// A saved family or direction as it was before and after a save: what undo puts back.
struct RecordChange {
    std::string kind;  // kFamilyRecords or kDirectionRecords (core/named_records.h)
    std::string name;
    std::optional<std::string> previous;  // none: the name was new
    std::string saved;
};

// Edit > Undo / Redo of a save. The save itself already happened (a job) when the command is
// pushed, so the first redo does nothing; later ones write `saved` again, undo writes
// `previous` back (or removes the record).
class SavedRecordCommand : public QUndoCommand {
public:
    SavedRecordCommand(SavedRecords* records, RecordChange change);
    void undo() override;
    void redo() override;

private:
    SavedRecords* records_;
    RecordChange change_;
    bool done_ = true;  // the save ran before the push
};

}  // namespace loupe::app
