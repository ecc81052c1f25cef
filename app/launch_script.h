#pragma once

#include <QObject>
#include <QSet>
#include <QString>

namespace loupe::app {

class MainWindow;

// What the command line asks for after start-up: an image to open, a layer or unit to
// select, and optionally a screenshot of the window once every job has finished (used for
// the README's pictures and for looking at the GUI under xvfb).
struct LaunchRequest {
    QString image;
    QString layer;
    QString unit;
    QString screenshot;
    QString dock;  // dock to raise, e.g. "weights"
    bool renderLayer = false;  // render the selected layer's feature visualizations
    QString pick;  // "x,y": a semantic-dictionary click once activations are there
    int nmf = 0;  // k > 0: NMF of the selected layer on the image, shown in the dictionary dock
    QString attribute;  // method (or "compare") to compute for the top class
    QString tune;  // tuning experiment for the selected unit: sweep|rotation|radial|invariance|find
    QString family;  // its family's other channels, "3,7,12"
    QString sweep;  // the sweep's axes (default: the dock's)
    QString occlude;  // occlusion map: prob|unit|layer|classes
    bool circuit = false;  // compute the selected unit's circuit on the image
    QString atlas;  // folder: build the selected layer's activation atlas over it
    bool imageMap = false;  // ... or its image map
    bool classColours = false;  // frame the atlas cells by predicted class
    bool scanSamples = false;  // scan the built-in sample images first
    bool attributeUnit = false;  // --attribute explains the selected unit instead of the top class
    QString invert;  // layers "L1,L2": feature inversion of the image
    QString dream;  // objective: DeepDream on the image
    QString style;  // style photo: style transfer onto the image
    QString attack;  // pgd, fgsm, min-epsilon or fooling:CLASS
    QString shapeBias;  // folder of labelled photos: cue-conflict shape bias
    QString degrade;  // folder of labelled photos: the degradation table
    bool sanity = false;  // with --attribute: the sanity check and heavy metrics of the maps
    QString objectBox;  // with --attribute: "x,y,w,h" in model-input pixels (localisation)
    int concept = -1;  // >= 0: this concept of the layer's dictionary in the Concepts dock
    QString dissect;  // folder: network dissection of the selected layer over it
    int dissectUnit = -1;  // >= 0: then this unit's examples
    QString explain;  // class (or "top", or "CLASS,VERSUS"): the Decision dock
    QString curves;  // family ("L:c1,c2" or a saved name): its curve map in the Curves dock
    bool orientationColour = false;  // ... coloured by each unit's preferred orientation
    int trace = 0;  // > 0: then trace this many strokes
    bool curvesMeasure = false;  // ... and measure the family on synthetic scenes
    QString ablate;  // "zero L:c1,c2" | "mean L:c1,c2" | "cut L:C<-I": applied to every dock
    QString editAccuracy;  // folder: accuracy original vs edited (+ random control)
    QString editTuning;  // unit: its tuning original vs edited
    bool editOcclusion = false;  // the image's occlusion map, original vs edited
    QString timeline;  // folder of checkpoints: the selected unit's training timeline
    QString timelineImages;  // ... with its top examples among these images
    int steps = 0;  // > 0: steps of the experiments above (per octave for DeepDream)
    int pairs = 0;  // > 0: cue-conflict pairs
    QString preset;  // View > Task Presets: unit | image | dataset | experiments
    QString exportFigure;  // when the steps are done: the --dock's figure to this file
    int timeoutSeconds = 300;
};

class LaunchScript : public QObject {
    Q_OBJECT
public:
    LaunchScript(MainWindow* window, LaunchRequest request);

private:
    void onModelReady();
    void onModelFailed(const QString& message);
    void checkIdle();
    void takeScreenshot();
    // The script waits for the jobs submitted since it was created (its steps and what they
    // cause), not for the whole runner to be idle.
    bool scriptJobsRunning() const { return !scriptJobs_.isEmpty(); }
    bool startImageExperiments();
    // --curves, --ablate (then --edit-accuracy, --edit-tuning), --timeline: one step per call.
    bool continueCurveDetectors();  // --dream, --style, --attack, --shape-bias, --degrade

    MainWindow* window_;
    LaunchRequest request_;
    QSet<int> scriptJobs_;
    bool applied_ = false;
    bool picked_ = false;
    bool factorized_ = false;
    bool attributed_ = false;
    bool sanityChecked_ = false;
    bool tuned_ = false;
    bool occluded_ = false;
    bool circuited_ = false;
    bool atlased_ = false;
    bool sampled_ = false;
    bool inverted_ = false;
    bool experimented_ = false;
    bool conceptShown_ = false;
    bool dissected_ = false;
    bool dissectUnitShown_ = false;
    bool explained_ = false;
    bool curvesShown_ = false;
    bool ablated_ = false;
    bool editMeasured_ = false;
    bool editTuned_ = false;
    bool editOccluded_ = false;
    bool timelined_ = false;
    bool exported_ = false;
    bool modelFailed_ = false;  // the screenshot shows the error state; the exit code says so
};

}  // namespace loupe::app
