#pragma once

#include "core/circuit.h"
#include "widgets/panel.h"

class QLineEdit;
class QPushButton;
class QScrollArea;
class QSpinBox;

namespace loupe::widgets {

class CircuitView;

// Curve Detectors' "attribution = activation x weight" between adjacent layers: for the
// selected unit of a convolution and the current image, the input channels that contribute
// most to its pre-activation, each with its contribution over every position (where it helps,
// red, or hurts, blue) and the kernel that connects the two channels.
class CircuitPanel : public Panel {
    Q_OBJECT
public:
    CircuitPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setCircuit(const CircuitResult& circuit);
    // The feature visualization of an input channel (the circuit's inputLayer), shown in its row.
    void setThumbnail(const QString& layer, int channel, const QImage& image);
    bool hasThumbnail(int channel) const;
    void clearCircuit(const QString& message);
    const CircuitResult& circuit() const;
    int count() const;  // how many contributions are asked for

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    QString exportData() const override;

public slots:
    void compute();

signals:
    // fromLayer empty: the conv's exact split; else gradient x activation from that layer.
    void circuitRequested(const QString& layer, int channel, int k, const QString& fromLayer);
    void thumbnailsWanted(const QString& layer, const QList<int>& channels);
    // A row's context menu: cut the kernel from that input channel to the unit (Circuit Edits).
    void cutKernelRequested(const QString& layer, int channel, int inputChannel);

private:
    QSpinBox* k_;
    QLineEdit* from_;
    CircuitView* view_;
    QScrollArea* scroll_;
};

}  // namespace loupe::widgets
