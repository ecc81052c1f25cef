#pragma once

#include "core/unit_examples.h"
#include "core/unit_page.h"
#include "widgets/panel.h"

#include <optional>

class QCustomPlot;
class QLabel;
class QLineEdit;

namespace loupe::widgets {

class ImageRow;

// Everything about one unit in one scrollable view (OpenAI Microscope's unit page): its
// feature visualizations (channel, neuron, negative, diversity), its strongest and weakest
// dataset examples with their activations and file names, its distribution, its orientation
// tuning when a sweep measured it, and its strongest inputs and outputs in the adjacent
// layers (click one to go there). A loupe:// link names the unit; the whole page exports as
// one figure.
class UnitPagePanel : public Panel {
    Q_OBJECT
public:
    UnitPagePanel(const PanelServices& services, QWidget* parent = nullptr);

    // Starts a page: clears every section and shows what is being computed.
    void showUnit(const QString& layer, int channel, const QString& title, const QString& link);
    void setRender(int index, const QString& caption, const QImage& image);
    void setRenderFailed(const QString& message);
    void setExamples(const UnitExamples& examples, const QString& scanDescription);
    void clearExamples(const QString& message);
    // `image` names the photo the neighbours were measured on.
    void setNeighbours(const UnitNeighbours& neighbours, const QString& image);
    void setNeighbourPicture(const QString& layer, int channel, const QImage& picture);
    void setTuning(const std::optional<UnitOrientationTuning>& tuning);

    QString layer() const { return layer_; }
    int channel() const { return channel_; }
    QString link() const { return link_; }
    int renderedCount() const;
    QImage renderImage(int index) const;  // as shown: Channel, Neuron, Negative, Diversity
    int exampleCount() const;  // top + bottom shown
    const UnitNeighbours& neighbours() const { return neighbours_; }
    bool hasTuning() const { return tuning_.has_value(); }

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    QString exportData() const override;  // the histogram's bins as stored by the scan
    // The page draws its own heading (unit, model, link): no second title above it.
    QString exportTitle(const FigureContext&) const override { return {}; }
    bool exportUsesImage() const override { return false; }  // a unit's, not the photo's

signals:
    void unitActivated(const QString& layer, int channel);
    void exampleActivated(const QString& folder, const QString& path);

private:
    void copyLink();
    void fillNeighbourRows();

    QString layer_;
    int channel_ = -1;
    QString title_;
    QString link_;
    UnitExamples examples_;
    QString scanDescription_;
    UnitNeighbours neighbours_;
    QString neighboursImage_;
    std::optional<UnitOrientationTuning> tuning_;

    QLabel* heading_;
    QLineEdit* linkField_;
    ImageRow* renders_;
    QLabel* examplesNote_;
    ImageRow* top_;
    ImageRow* bottom_;
    QCustomPlot* distribution_;
    QCustomPlot* tuningPlot_;
    QLabel* neighboursNote_;
    ImageRow* inputs_;
    ImageRow* outputs_;
};

}  // namespace loupe::widgets
