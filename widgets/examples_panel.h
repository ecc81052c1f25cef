#pragma once

#include "core/unit_examples.h"
#include "widgets/panel.h"

class QCheckBox;
class QVBoxLayout;

namespace loupe::widgets {

class ChannelGrid;

// The selected unit's dataset examples from a scan: the top-k and bottom-k images cropped to
// the unit's receptive field (or whole, with the field outlined), and a strip of samples per
// activation band (the Curve Detectors figure 7 view). Clicking an example opens its image.
class ExamplesPanel : public Panel {
    Q_OBJECT
public:
    ExamplesPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setExamples(const UnitExamples& examples);
    void clearExamples(const QString& message);
    // Which scan the examples come from (folder, images, shards merged, model): shown under
    // every unit's examples.
    void setScanDescription(const QString& description);
    const QString& scanDescription() const { return scanDescription_; }
    bool wholeImages() const;
    const UnitExamples& examples() const { return examples_; }
    int topCount() const;

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesImage() const override { return false; }  // a unit's, not the photo's

signals:
    void wholeImagesChanged(bool whole);
    void exampleActivated(const QString& folder, const QString& path);

private:
    ChannelGrid* addSection(const QString& title);
    void fill(ChannelGrid* grid, const std::vector<ExampleTile>& tiles);

    UnitExamples examples_;
    QString scanDescription_;
    QCheckBox* whole_;
    QWidget* content_;
    QVBoxLayout* sections_;
    ChannelGrid* top_;
    ChannelGrid* bottom_;
    QList<ChannelGrid*> bands_;
    QList<class QLabel*> bandTitles_;
};

}  // namespace loupe::widgets
