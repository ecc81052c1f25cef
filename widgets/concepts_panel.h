#pragma once

#include "core/concept_dictionary_store.h"
#include "core/concept_page.h"
#include "widgets/panel.h"

class QCheckBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace loupe::widgets {

// Learned concept dictionaries of the selected layer: collect its activation vectors over a
// folder (size shown first), train a TopK sparse autoencoder with live loss / R² / dead-share
// curves, read its quality (R², L0, dead and dense concepts, the model's top-1 agreement with
// the layer replaced by its reconstruction, stability across two seeds), then browse the
// concepts like units: a sortable table, and per concept its feature visualization, its
// strongest dataset patches beside those of the channel it weighs most, and its activation
// histogram. A concept can be named and saved as a direction.
class ConceptsPanel : public Panel {
    Q_OBJECT
public:
    ConceptsPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setFolder(const QString& folder);
    QString folder() const { return folder_; }
    void setEstimate(const QString& text);
    void startTraining();  // clears the live curves
    void addTrainingStep(const TrainingStep& step);
    void setRecord(const ConceptDictionaryRecord& record);
    void clearRecord(const QString& message);
    void setPage(const ConceptPage& page);
    void setConceptPicture(int concept, const RgbImage& image);
    void setTrainingSettings(int atoms, int k, int steps, bool secondSeed);

    bool hasRecord() const { return hasRecord_; }
    const ConceptDictionaryRecord& record() const { return record_; }
    int trainingSteps() const { return int(steps_.size()); }
    int shownConcept() const { return page_.concept; }
    int pageExamples() const { return int(page_.examples.size()); }
    QString qualityText() const;

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    QString exportData() const override;

public slots:
    void collect();
    void train();
    void selectConcept(int concept);
    void saveSelected(const QString& name = {});  // asks for a name when empty

signals:
    void estimateRequested(
        const QString& layer, const QString& folder, int maxImages, int perImage);
    void collectRequested(const QString& layer, const QString& folder, int maxImages, int perImage);
    void trainRequested(const QString& layer, int atoms, int k, int steps, bool secondSeed);
    void conceptRequested(const QString& layer, int concept);
    void conceptNamed(const QString& layer, int concept, const QString& name);
    void saveDirectionRequested(
        const QString& name, const QString& layer, const std::vector<float>& direction);

private:
    void requestEstimate();
    void fillTable();
    void drawPage();
    QString layer() const;

    QLabel* folderLabel_;
    QSpinBox* maxImages_;
    QSpinBox* perImage_;
    QSpinBox* atoms_;
    QSpinBox* k_;
    QSpinBox* stepsBox_;
    QCheckBox* secondSeed_;
    QCustomPlot* curves_;
    QLabel* quality_;
    QTableWidget* table_;
    QLabel* picture_;
    QLabel* examples_;
    QLabel* channelExamples_;
    QLabel* pageText_;
    QCustomPlot* histogram_;
    QLineEdit* name_;

    QString folder_;
    bool hasRecord_ = false;
    ConceptDictionaryRecord record_;
    std::vector<TrainingStep> steps_;
    ConceptPage page_;
    RgbImage pagePicture_;
};

}  // namespace loupe::widgets
