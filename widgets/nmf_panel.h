#pragma once

#include "core/nmf.h"
#include "widgets/panel.h"

class QComboBox;
class QLabel;
class QListWidget;
class QSpinBox;

namespace loupe::widgets {

// NMF factors of the selected layer (Building Blocks' "neuron groups"), over the current image
// or a folder of images: the segmentation-like overlay, and per factor its colour, its feature
// visualization (a direction objective, rendered after the factorisation) and its strongest
// channels. A factor can be saved as a named direction — then `direction:NAME` is a feature-
// visualization objective everywhere.
class NmfPanel : public Panel {
    Q_OBJECT
public:
    NmfPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setFactors(
        const LayerFactors& factors, const RgbImage& overlay, int images, const QString& source);
    void setFactorImages(const std::vector<RgbImage>& images);
    void clearFactors(const QString& message);
    int factorCount() const;
    int renderedFactorImages() const;
    void setK(int k);
    void selectFactor(int factor);

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    QString exportData() const override;

public slots:
    void run(const QString& folder = {});  // empty: the current image
    void saveSelected(const QString& name = {});  // asks for a name when empty

signals:
    void nmfRequested(const QString& layer, int k, const QString& folder);
    void saveDirectionRequested(
        const QString& name, const QString& layer, const std::vector<float>& direction);

private:
    void rebuildList();

    QSpinBox* k_;
    QLabel* overlay_;
    QListWidget* list_;
    LayerFactors factors_;
    std::vector<RgbImage> factorImages_;
    RgbImage overlayImage_;
    QString source_;
};

}  // namespace loupe::widgets
