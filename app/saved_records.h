#pragma once

#include "app/saved_record_command.h"

#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

#include <functional>
#include <vector>

class QUndoStack;

namespace loupe::app {

class JobRunner;
class ModelSession;

// The document edits of a model's workspace: saved unit families (Tuning) and named
// directions (NMF, Atlas). Every save is undoable (one QUndoCommand each); success and
// failure go back to the module that saved.
class SavedRecords : public QObject {
    Q_OBJECT
public:
    SavedRecords(
        ModelSession* session, JobRunner* jobs, QUndoStack* undo, QObject* parent = nullptr);

    void saveFamily(const QString& name, const QString& layer, const QList<int>& channels,
        QObject* receiver, std::function<void(const QString&)> failed);
    void saveDirection(const QString& name, const QString& layer,
        const std::vector<float>& direction, QObject* receiver,
        std::function<void(const QString& name)> saved, std::function<void(const QString&)> failed);
    // Puts a record back as it was (`bytes`), or removes it (nullopt): undo/redo.
    void restore(const RecordChange& change, const std::optional<std::string>& bytes);
    void refreshFamilies();  // familiesChanged

signals:
    void familiesChanged(const QMap<QString, QString>& families);  // name -> "layer:c1,c2,…"
    void restoreFailed(const QString& message);

private:
    ModelSession* session_;
    JobRunner* jobs_;
    QUndoStack* undo_;
};

}  // namespace loupe::app
