#pragma once

#include "core/activations.h"
#include "core/attribution.h"
#include "core/featurevis.h"
#include "core/dataset_scan.h"
#include "core/unit_examples.h"
#include "core/image.h"
#include "core/model.h"
#include "core/occlusion.h"
#include "core/nmf.h"
#include "core/atlas.h"
#include "core/circuit.h"
#include "core/tuning.h"
#include "core/weights.h"
#include "app/saved_record_command.h"
#include "widgets/atlas_request.h"

#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace loupe {
class Workspace;
}

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
    // Positive and negative feature visualizations of a unit (cached in the workspace); a
    // config with zero steps is skipped.
    void requestFeatureVis(const FeatureVisConfig& positive, const FeatureVisConfig& negative);
    void requestLayerFeatureVis(const FeatureVisConfig& base, const QString& layer);
    // Thumbnail feature visualizations of some channels: cached ones at once, the rest rendered
    // in one batch and cached.
    // `requester` names the panel: a newer request of the same panel supersedes its older one.
    void requestThumbnails(const QString& layer, const QList<int>& channels, const QString& requester);
    // Indexes a folder (a long job; resumable; cancel keeps what is done).
    void scanFolder(const QString& folder, const QStringList& layers);
    // The unit's examples and distribution from the latest scan, if there is one.
    void requestExamples(const QString& layer, int channel, bool wholeImages);
    // The top dataset example of each channel (dictionary entries), when there is a scan.
    void requestTopExamples(const QString& layer, const QList<int>& channels);
    bool hasScan() const;
    // Building-Blocks views of the current image at a layer (jobs on the device worker).
    void requestActivationGrid(const QString& layer, int maxCells);
    void requestNmf(const QString& layer, int k);
    // Attribution maps of the current image, one job for the listed methods.
    void requestAttribution(const QStringList& methods, const QString& target, const QString& layer);
    // Layer facts from the latest scan (receptive field, dead and rarely firing units), read
    // on a worker: scanSummariesReady.
    void requestScanSummaries();
    // Tuning experiments (model_session_tuning.cpp): a stimulus sweep, its radial view, the
    // invariance check, or the rotation of the unit's top dataset examples; channels are the
    // unit first, then its family. Sweeps are cached in the workspace.
    enum class TuningExperiment { Sweep, Rotation, Radial, Invariance, FindTuned };
    void requestTuning(TuningExperiment experiment, const QString& stimulus, const QString& sweep, const QString& layer,
                       const QList<int>& channels);
    void saveFamily(const QString& name, const QString& layer, const QList<int>& channels);
    // Puts a saved family or direction back as it was (`bytes`), or removes it (nullopt): undo/redo.
    void restoreRecord(const RecordChange& change, const std::optional<std::string>& bytes);
    // The family figure (feature vis + top dataset examples per unit) written to `path` (PNG)
    // with a JSON sidecar next to it.
    void requestUnitSheet(const QString& layer, const QList<int>& channels, int examplesPerUnit, const QString& path);
    void requestFamilies();  // familiesChanged
    // Occlusion of the current image (model_session_explain.cpp): kind "heat" maps the drop
    // of an attribution target ("prob:N", "unit:L:C", "layer:L"), "classes" the top-1 class.
    void requestOcclusion(const QString& kind, const QString& target, int patch, int stride, const QString& fill);
    // A conv unit's pre-activation (at the layer's centre) split into activation x weight.
    void requestCircuit(const QString& layer, int channel, int k, const QString& fromLayer = {});
    // NMF dock (model_session_nmf.cpp): factors over the image (folder empty) or a folder,
    // then each factor's feature visualization; a factor saved as a named direction.
    void requestNmfFactors(const QString& layer, int k, const QString& folder);
    void saveNamedDirection(const QString& name, const QString& layer, const std::vector<float>& direction);
    // Activation atlas (model_session_atlas.cpp): built over a folder, kept for hovering.
    void requestAtlas(const widgets::AtlasBuildRequest& request);
    void requestAtlasPatches(int cell);   // a few dataset patches of the cell
    void requestAtlasPlacement();         // where the current image's positions land
    void requestImageMap(const QString& layer, const QString& folder);

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
    QString defaultLayer() const;
    int inputSize() const { return model_ ? model_->metadata().input.size : 224; }  // a mid-level feature map worth showing first

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
    void featureVisProgress(bool negative, const loupe::RgbImage& image, int step, float objective);
    void featureVisReady(bool negative, const loupe::FeatureVisResult& result, bool fromCache);
    void featureVisFailed(const QString& message);
    void layerRenderStarted(const QString& layer, int channels);
    void layerChannelReady(const QString& layer, int channel, const loupe::RgbImage& image);
    void thumbnailReady(const QString& layer, int channel, const loupe::RgbImage& image);
    // A figure of the current image; columns x rows > 0 when it is a grid over the model's view
    // (the activation grid), so that hovering a cell can show that cell's dictionary.
    void figureReady(const QString& title, const loupe::RgbImage& image, int columns, int rows);
    void scanSummariesReady(const std::vector<loupe::LayerScanSummary>& summaries);
    void attributionReady(const QString& method, const loupe::AttributionMap& map);
    void attributionFailed(const QString& message);
    // In a comparison: this method cannot take the target or layer, and why.
    void attributionUnavailable(const QString& method, const QString& reason);
    void scanFinished(const QString& summary);
    void scanFailed(const QString& message);
    void examplesReady(const loupe::UnitExamples& examples);
    void examplesFailed(const QString& message);
    void topExampleReady(const QString& layer, int channel, const loupe::RgbImage& image);
    void tuningSweepReady(const loupe::SweepResult& sweep, const std::vector<loupe::RgbImage>& thumbnails);
    void tuningRadialReady(const loupe::RadialTuning& radial, const QString& layer);
    void tuningRotationReady(const loupe::RotationTuning& rotation, const QString& layer);
    void tuningInvarianceReady(const std::vector<loupe::InvarianceVariant>& variants);
    void tuningRankReady(const std::vector<loupe::TunedUnit>& units, const loupe::RadialTuning& radial, const QString& layer);
    void tuningFailed(const QString& message);
    void unitSheetSaved(const QString& path);
    void unitSheetFailed(const QString& message);
    void occlusionHeatmapReady(const loupe::AttributionMap& map, bool final);
    void occlusionClassesReady(const loupe::OcclusionClassMap& map, const QMap<int, QString>& labels, bool final);
    void occlusionFailed(const QString& message);
    void circuitReady(const loupe::CircuitResult& circuit);
    void circuitFailed(const QString& message);
    void nmfFactorsReady(const loupe::LayerFactors& factors, const loupe::RgbImage& overlay, int images, const QString& source);
    void nmfFactorImagesReady(const std::vector<loupe::RgbImage>& images);
    void nmfFailed(const QString& message);
    void directionSaved(const QString& name);
    void recordSaved(const loupe::app::RecordChange& change);  // a family or direction, for undo
    void atlasReady(std::shared_ptr<const loupe::Atlas> atlas, const QMap<int, QString>& classLabels);
    void atlasFailed(const QString& message);
    void atlasPatchesReady(int cell, const std::vector<loupe::RgbImage>& patches);
    void atlasPlacementReady(const std::vector<float>& coordinates);
    void imageMapReady(std::shared_ptr<const loupe::ImageMap> map);
    void familiesChanged(const QMap<QString, QString>& families);  // name -> "layer:c1,c2,…"

private:
    JobRunner* runner_;
    void submitFeatureVis(const FeatureVisConfig& config);
    struct Figure {
        RgbImage image;
        int columns = 0;
        int rows = 0;
    };
    void submitImageFigure(const QString& title, const QString& supersede,
                           std::function<Figure(Model&, const RgbImage&, Progress&)> figure);

    std::shared_ptr<Model> model_;
    std::shared_ptr<Workspace> workspace_;  // null when the cache could not be opened
    bool hasScan_ = false;
    std::shared_ptr<const Atlas> atlas_;    // the last atlas built, with its layer's receptive field
    ReceptiveField atlasField_;
    int featureVisGeneration_[2] = {0, 0};
    RgbImage image_;
    QString imagePath_;
    QString deviceName_;
    bool deviceIsCuda_ = false;
};

} // namespace loupe::app
