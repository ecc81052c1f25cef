#pragma once

#include "core/activations.h"
#include "core/dataset_scan.h"
#include "core/image.h"
#include "core/model.h"
#include "core/model_edits.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

namespace loupe {
class Workspace;
}

namespace loupe::app {

class JobRunner;

// What every feature module shares: the open model and its workspace, the current image, the
// activations of the selected layer for it, and what the latest dataset scan holds. Opening a
// model runs as a job; capabilities (attribution, tuning, ...) live in their modules.
class ModelSession : public QObject {
    Q_OBJECT
public:
    explicit ModelSession(JobRunner* runner, QObject* parent = nullptr);

    void openModel(const QString& path, DevicePreference device);
    // Trains Loupe's built-in model into `directory` (a long job with progress and cancel),
    // then opens it.
    int trainBuiltinModel(const QString& directory, DevicePreference device);  // the job's id
    void setDevice(DevicePreference device);
    void setImage(const RgbImage& image, const QString& path);
    // The Activations module computes them; the dictionary, the image's predictions and the
    // attribution targets read them.
    void publishActivations(const LayerActivations& activations);
    // Moves a damaged workspace aside (kept, never deleted) and opens a fresh one for the
    // model; the callbacks say where the old one went, or why it could not be done.
    void startNewWorkspace(std::function<void(const QString& movedTo)> done,
        std::function<void(const QString& message)> failed);
    // The Dataset module reads them after a scan and when a model opens.
    void publishScanSummaries(const std::vector<LayerScanSummary>& summaries);

    // Circuit edits (core/model_edits.h): while a list is applied, model() is the edited copy
    // and workspace() its own cache (its hash differs, so no result of one is read as the
    // other's); the original model and its workspace (saved families, directions, the scan)
    // stay reachable. Mean values are read from the original's scan. An empty list goes back
    // to the original. `done` receives the list as applied (means filled in).
    void applyEdits(const EditList& edits, std::function<void(const EditList&)> done,
        std::function<void(const QString& message)> failed);
    const EditList& edits() const { return edits_; }
    // Another dock asks for an edit (the Circuit dock's "cut this kernel"): the Circuit Edits
    // dock lists it.
    void proposeEdit(const ModelEdit& edit) { emit editProposed(edit); }
    bool isEdited() const { return !edits_.empty(); }
    std::shared_ptr<Model> originalModel() const { return original_ ? original_ : model_; }
    // Where saved records (families, directions) live: the original model's workspace.
    std::shared_ptr<Workspace> recordsWorkspace() const
    {
        return original_ ? originalWorkspace_ : workspace_;
    }

    // Shared with jobs, which keep them alive while they run.
    std::shared_ptr<Model> model() const { return model_; }
    std::shared_ptr<Workspace> workspace() const
    {
        return workspace_;
    }  // null when the cache could not be opened
    bool hasModel() const { return bool(model_); }
    bool hasImage() const { return !image_.empty(); }
    const RgbImage& image() const { return image_; }
    QString imagePath() const { return imagePath_; }
    // Known from the scan summary and from finished scans, never read on the GUI thread: a
    // read would wait for a scan's save transaction on the device worker.
    bool hasScan() const { return hasScan_; }
    QString modelPath() const;
    QString modelHash() const;
    QString modelName() const;
    QString deviceName() const { return deviceName_; }
    bool deviceIsCuda() const { return deviceIsCuda_; }
    std::vector<LayerInfo> layers() const;
    QString defaultLayer() const;  // a mid-level feature map worth showing first
    int inputSize() const { return model_ ? model_->metadata().input.size : 224; }

signals:
    void modelLoading(const QString& path);
    void modelLoaded();
    void modelFailed(const QString& path, const QString& message);
    void trainingFailed(const QString& message);
    void deviceChanged(const QString& deviceName);
    void imageChanged();
    void activationsChanged(const loupe::LayerActivations& activations);
    void scanChanged(const std::vector<loupe::LayerScanSummary>& summaries);
    void workspaceChanged();  // a fresh workspace replaced a damaged one
    void editsChanged();  // model() is now the edited copy, or the original again
    void editProposed(const loupe::ModelEdit& edit);

private:
    JobRunner* runner_;
    std::shared_ptr<Model> model_;
    std::shared_ptr<Workspace> workspace_;
    std::shared_ptr<Model> original_;  // set while edits are applied
    std::shared_ptr<Workspace> originalWorkspace_;
    EditList edits_;
    bool hasScan_ = false;
    RgbImage image_;
    QString imagePath_;
    QString deviceName_;
    bool deviceIsCuda_ = false;
};

}  // namespace loupe::app
