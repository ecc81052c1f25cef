#pragma once
// Curve extraction (Curve Detectors, "curve extraction"): a family of curve units turned into a
// tool. The attribution of the family's summed activation to the pixels of a photo is a curve
// map; shown beside OpenCV's Canny edges of the same photo, and measured on synthetic scenes
// whose curve pixels are known.

#include "core/curve_scenes.h"
#include "core/image.h"
#include "core/progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

class Model;

enum class CurveMapMethod { GuidedBackprop, InputTimesGradient };
const char* curveMapMethodName(CurveMapMethod method);  // "guided", "input-x-gradient"
std::string curveMapMethodLabel(CurveMapMethod method);  // "Guided backprop", ...
CurveMapMethod curveMapMethodFromName(const std::string& name);  // throws loupe::Error

struct CurveMapConfig {
    std::string layer;
    std::vector<int> channels;  // the family
    CurveMapMethod method = CurveMapMethod::GuidedBackprop;
    // Colour each unit's share by its preferred orientation (one attribution per unit).
    bool colourByOrientation = false;
    std::vector<double> preferred;  // degrees per channel; empty: measured by a sweep
    // Sigma (pixels) of the blur of the signed gradient: pixel noise cancels, edges stay.
    double smoothing = 1.0;
};

struct CurveMap {
    int width = 0;
    int height = 0;
    // |familyGradientMap|, divided by its 99.5th percentile and clipped to [0, 1].
    std::vector<float> strength;
    RgbImage picture;  // dark strokes on white, or each unit's share in its orientation's hue
    RgbImage inputView;  // the photo as the model saw it (same geometry as the map)
    std::vector<double> preferred;  // when coloured: the orientation used per channel
};

// The raw map: |gradient| (guided backprop) or gradient x input of half the family's summed
// squared activations (every position's gradient weighted by how strongly the family fires
// there), over the model-input view of the image.
struct FamilyGradient {
    int width = 0;
    int height = 0;
    std::vector<float> values;
    RgbImage inputView;
};
// `smoothing`: sigma in pixels of a Gaussian applied to the signed gradient before its magnitude
// is taken (0: none).
FamilyGradient familyGradientMap(Model& model, const RgbImage& image, const std::string& layer,
    const std::vector<int>& channels, CurveMapMethod method, double smoothing = 0);

// Throws loupe::Error for an empty family, a layer or channel the model lacks; Cancelled.
CurveMap familyCurveMap(
    Model& model, const RgbImage& image, const CurveMapConfig& config, Progress& progress);

// The key to a curve map's colours, low to high in one row of `width` pixels: white to black
// (strength 0 to 1) for the ink map, or the hue of each preferred orientation from 0 to 360
// degrees for the map coloured by orientation. The same colours familyCurveMap draws with.
RgbImage curveMapColourRamp(bool colourByOrientation, int width = 256);

// The same kind of map for any attribution target ("class:N", "unit:L:C", a concept, ...): the
// penalty a traced stroke pays for crossing what the user names (a texture unit, a class).
struct AttributionTarget;
class Workspace;
CurveMap targetMagnitudeMap(Model& model, const RgbImage& image, const AttributionTarget& target,
    CurveMapMethod method, Progress& progress);

// A penalty target from text: what AttributionTarget::parse reads, with a concept's direction
// read from the workspace, or "direction:NAME", a saved direction (NMF factor, atlas cell).
// Throws loupe::Error (unknown name, no workspace for a name that needs one).
AttributionTarget strokePenaltyTarget(const std::string& text, const Workspace* workspace);

// Each channel's preferred curve orientation (degrees): the peak of its radial tuning over a
// 10-degree orientation sweep of curves at the layer's receptive field.
std::vector<double> preferredOrientations(
    Model& model, const std::string& layer, const std::vector<int>& channels, Progress& progress);

struct CannyConfig {
    double low = -1;  // hysteresis thresholds; negative: automatic, 0.66 x and 1.33 x the
    double high = -1;  // median grey level (the usual "auto Canny")
};

struct CannyEdges {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> edges;  // 1 on an edge pixel
    double low = 0;  // the thresholds used
    double high = 0;
    RgbImage picture;  // black edges on white
};

CannyEdges cannyEdges(const RgbImage& image, const CannyConfig& config = {});

// Precision and recall of predicted pixels against true ones, each side allowed to be within
// `tolerance` pixels of the other (the usual matching for edge maps).
struct DetectionScore {
    double threshold = 0;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
};
struct MatchCounts {
    double predicted = 0;
    double predictedNearTruth = 0;
    double truth = 0;
    double truthNearPrediction = 0;
    void add(const MatchCounts& other);
    DetectionScore score(double threshold) const;
};
MatchCounts matchPixels(const std::vector<std::uint8_t>& predicted,
    const std::vector<std::uint8_t>& truth, int width, int height, int tolerance);

struct CurveBenchmarkConfig {
    CurveMapConfig map;  // colourByOrientation is ignored: one summed map per scene
    CurveSceneConfig scene;  // its size is set to the model's input size
    int scenes = 16;  // arcs and lines over texture
    int combedScenes = 8;  // one combed arc each, for the combing ratio
    int tolerance = 2;
    std::uint64_t seed = 1;
};

struct CurveBenchmark {
    int scenes = 0;
    int combedScenes = 0;
    DetectionScore family;  // the family's map at its best threshold (over all scenes)
    DetectionScore canny;  // Canny at its best high threshold (low = high / 2)
    DetectionScore cannyAuto;  // Canny with automatic thresholds
    // Combing: the map's mean strength on the short strokes across a combed arc, over its
    // mean on the arc itself and over its mean on the background (> 6 px from any stroke;
    // means below 0.001 count as 0.001).
    double combingTicksToArc = 0;
    double combingTicksToBackground = 0;
    // Does it tell curves from straight lines? The map's mean strength on curve pixels over its
    // mean on line pixels; for Canny (automatic thresholds) the share of curve pixels within
    // the tolerance of an edge over the same share of line pixels (1: no preference).
    double familyCurveToLine = 0;
    double cannyCurveToLine = 0;
    std::vector<double> familyF1ByThreshold;  // for a plot: thresholds 0.02, 0.04, ... 0.98
    std::vector<double> cannyF1ByThreshold;  // high thresholds 10, 20, ... 400
};

CurveBenchmark benchmarkCurveExtraction(
    Model& model, const CurveBenchmarkConfig& config, Progress& progress);

}  // namespace loupe
