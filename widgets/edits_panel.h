#pragma once

#include "core/activations.h"
#include "core/edit_evaluation.h"
#include "core/model_edits.h"
#include "widgets/colour_bar.h"
#include "widgets/panel.h"

#include <QMap>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;
class QTabWidget;
class QTableWidget;
class QCustomPlot;

namespace loupe::widgets {

class ImageRow;

// Circuit editing (Curve Detectors, "ablate the curve family and see what breaks"): an edit
// list on the open model — units zeroed or held at their dataset mean, kernels between two
// channels cut — applied to every dock until reverted, saved as a new model file, and the
// live comparison of the edited model with the original: the image's top-5, accuracy over a
// labelled folder (against as many random units of the same layer), a downstream unit's
// tuning and the occlusion map.
class EditsPanel : public Panel {
    Q_OBJECT
public:
    EditsPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setFamilies(const QMap<QString, QString>& families);  // name -> "layer:c1,c2,…"
    void setEditList(const EditList& edits);
    const EditList& editList() const { return edits_; }
    // Whether the list is what every dock uses now.
    void setApplied(const EditList& applied);
    void setDownstreamUnit(const QString& unit);
    void setRandomControl(bool on);
    QString downstreamUnit() const;
    // Adds edits from text: "zero"/"mean" with a unit, a family "layer:c1,c2" or a saved family's
    // name; "cut" with "layer:out" and an input channel. Returns false (status says why) on bad
    // text.
    bool addEdits(ModelEdit::Kind kind, const QString& units, int inputChannel = -1);

    void showTopFive(const std::vector<Prediction>& before, const std::vector<Prediction>& after);
    // randomDrops: top-1 drops (before - after, fractions) of the random-unit controls.
    void showAccuracy(const AccuracyComparison& accuracy, const std::vector<double>& randomDrops);
    void showTuning(const QString& unit, const std::vector<double>& orientations,
        const std::vector<float>& before, const std::vector<float>& after);
    // `scale`: the colour bar both maps share (drawn under each).
    void showOcclusion(const QImage& photo, const QImage& before, const QImage& after,
        const QString& klass, const ColourScale& scale);
    void clearResult(const QString& message);
    QString accuracyText() const;
    int topFiveRows() const;
    // The colour bar under occlusion map `index` (1 original, 2 edited); empty before one ran.
    ColourScale occlusionScale(int index) const;
    void showTab(int index);

    QString exportName() const override;
    bool exportUsesUnit() const override { return false; }  // the edit list's, named in the figure
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    QString exportData() const override;

public slots:
    void apply();
    void revert();

signals:
    void applyRequested(const loupe::EditList& edits);  // empty: back to the original model
    void saveRequested(const QString& path);
    void accuracyRequested(const QString& folder, bool randomControl);
    void tuningRequested(const QString& unit);
    void occlusionRequested();

private:
    void addFromFields();
    void refreshList();
    void chooseSaveFile();
    void chooseAccuracyFolder();

    QComboBox* kind_;
    QLineEdit* units_;
    QSpinBox* input_;
    QListWidget* list_;
    QLabel* applied_;
    QTabWidget* tabs_;
    QTableWidget* topFive_;
    QLabel* accuracy_;
    QTableWidget* classes_;
    QCheckBox* randomControl_;
    QLineEdit* downstream_;
    QCustomPlot* tuning_;
    ImageRow* occlusion_;
    EditList edits_;
    EditList appliedEdits_;
    QMap<QString, QString> families_;
    QString folder_;
    AccuracyComparison lastAccuracy_;
};

}  // namespace loupe::widgets
