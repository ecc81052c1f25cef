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
    // A new model or a fresh workspace: earlier saves cannot be undone there.
    void startOver();

    ModelSession* session_;
    JobRunner* jobs_;
    QUndoStack* undo_;
};

// Wires a panel's "save this direction" request (NMF factors, atlas cells) to the records: the
// module emits directionSaved(name) on success, and the panel says what happened either way.
template <typename PanelType, typename ModuleType>
void saveDirectionsOf(PanelType* panel, ModuleType* module, SavedRecords* records)
{
    QObject::connect(panel, &PanelType::saveDirectionRequested, module,
        [=](const QString& name, const QString& layer, const std::vector<float>& direction) {
            records->saveDirection(
                name, layer, direction, module,
                [module](const QString& saved) { emit module->directionSaved(saved); },
                [panel](const QString& message) {
                    panel->setStatus(QObject::tr("Not saved: %1").arg(message));
                });
        });
    QObject::connect(module, &ModuleType::directionSaved, panel, [panel](const QString& name) {
        panel->setStatus(
            QObject::tr("Saved: use the objective direction:%1 in the Neuron dock").arg(name));
    });
}

}  // namespace loupe::app
