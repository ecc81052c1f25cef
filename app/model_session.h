#pragma once

#include "core/activations.h"
#include "core/image.h"
#include "core/model.h"
#include "core/weights.h"

#include <QObject>
#include <QString>

#include <memory>

namespace loupe::app {

class JobRunner;

// The open model and image, and the jobs that compute on them. Every computation runs on the
// runner's device pool; results arrive as signals on the GUI thread, as plain structs.
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
    void requestActivations(const QString& layer, bool preRelu);
    void requestWeights(const QString& layer);

    bool hasModel() const { return bool(model_); }
    bool hasImage() const { return !image_.empty(); }
    const RgbImage& image() const { return image_; }
    QString imagePath() const { return imagePath_; }
    QString modelPath() const;
    QString modelHash() const;
    QString modelName() const;
    QString deviceName() const { return deviceName_; }
    bool deviceIsCuda() const { return deviceIsCuda_; }
    std::vector<LayerInfo> layers() const;
    QString defaultLayer() const;  // a mid-level feature map worth showing first

signals:
    void modelLoading(const QString& path);
    void modelLoaded();
    void modelFailed(const QString& path, const QString& message);
    void trainingFailed(const QString& message);
    void deviceChanged(const QString& deviceName);
    void imageChanged();
    void activationsReady(const loupe::LayerActivations& activations);
    void activationsFailed(const QString& layer, const QString& message);
    void weightsReady(const loupe::LayerWeights& weights);
    void weightsFailed(const QString& layer, const QString& message);

private:
    JobRunner* runner_;
    std::shared_ptr<Model> model_;
    RgbImage image_;
    QString imagePath_;
    QString deviceName_;
    bool deviceIsCuda_ = false;
};

} // namespace loupe::app
