#pragma once

#include "core/deepdream.h"
#include "widgets/panel.h"

class QCustomPlot;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace loupe::widgets {

class ImageRow;

// DeepDream on the current image: the photo and the dream side by side, the dream updating as
// the octaves run, and the objective climbing in the plot below.
class DreamPanel : public Panel {
    Q_OBJECT
public:
    DreamPanel(const PanelServices& services, QWidget* parent = nullptr);

    // The field's text, else the selected unit (a channel objective) or layer ("layer:L").
    QString objective() const;
    void setObjectiveText(const QString& objective);
    void setStepsPerOctave(int steps);
    void start(const QImage& photo, const QString& objective);
    void showProgress(const QImage& image, int step, float objective);
    void showResult(const Dream& dream);
    void clearResult(const QString& message);
    bool hasResult() const { return !last_.dream.empty(); }

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesUnit() const override { return false; }  // the image's, not a unit's
    QString exportData() const override;

public slots:
    void run();

signals:
    void dreamRequested(const loupe::DreamConfig& config);

private:
    QLineEdit* objective_;
    QSpinBox* octaves_;
    QSpinBox* steps_;
    QDoubleSpinBox* stepSize_;
    QSpinBox* jitter_;
    ImageRow* row_;
    QCustomPlot* plot_;
    Dream last_;
};

}  // namespace loupe::widgets
