#pragma once

#include "core/activations.h"
#include "core/dataset_scan.h"
#include "core/image.h"
#include "core/model.h"

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
    void trainBuiltinModel(const QString& directory, DevicePreference device);
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

private:
    JobRunner* runner_;
    std::shared_ptr<Model> model_;
    std::shared_ptr<Workspace> workspace_;
    bool hasScan_ = false;
    RgbImage image_;
    QString imagePath_;
    QString deviceName_;
    bool deviceIsCuda_ = false;
};

}  // namespace loupe::app
