#pragma once

#include "core/decision.h"
#include "widgets/colour_bar.h"
#include "widgets/panel.h"

class QLabel;
class QLineEdit;
class QTableWidget;

namespace loupe::widgets {

// "Which filters made this decision": the channels of the selected layer that contributed most
// to a class's logit on the current image (activation x gradient summed over positions), each
// with its feature-vis thumbnail, its map of where it contributed and its share; and the same
// for one class against another ("why tabby and not tiger cat"). Click a row: the unit is
// selected everywhere.
class DecisionPanel : public Panel {
    Q_OBJECT
public:
    DecisionPanel(const PanelServices& services, QWidget* parent = nullptr);

    // The model's labels for the class fields' completion.
    void setClassLabels(const QStringList& labels);
    void setClasses(const QString& klass, const QString& versus);
    // maps: one heat map per listed channel (same order as explanation.channels), may be empty.
    // mapScale: the one colour scale every map is drawn on (drawn under them in the figure).
    void showExplanation(const DecisionExplanation& explanation, const QList<QImage>& maps,
        const ColourScale& mapScale);
    void setThumbnail(int channel, const QImage& image);
    void clearResult(const QString& message);
    int rows() const;
    const DecisionExplanation& explanation() const { return explanation_; }

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesUnit() const override { return false; }  // the image's, not a unit's
    QString exportData() const override;

public slots:
    void run();

signals:
    // Class texts: a name or a number; an empty class means the model's top class.
    void explanationRequested(const QString& klass, const QString& versus);

private:
    QLineEdit* class_;
    QLineEdit* versus_;
    QLabel* summary_;
    QTableWidget* table_;
    DecisionExplanation explanation_;
    QList<QImage> maps_;
    ColourScale mapScale_;
};

}  // namespace loupe::widgets
