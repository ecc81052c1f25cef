#pragma once

#include "app/feature_module.h"
#include "core/image.h"
#include "core/progress.h"
#include "core/semantic_dictionary.h"

#include <functional>

namespace loupe {
class Model;
}

namespace loupe::widgets {
class DictionaryPanel;
}

namespace loupe::app {

// The semantic dictionary of the current image: the channels active where the user clicks,
// with their thumbnails and strongest dataset examples; and figures of the image at a layer
// (the activation grid, NMF factors) drawn in its place.
class DictionaryModule : public FeatureModule {
    Q_OBJECT
public:
    DictionaryModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::DictionaryPanel* panel() const { return panel_; }

    void requestActivationGrid(const QString& layer, int maxCells);
    void requestNmf(const QString& layer, int k);
    // The layer's learned concepts active in the region, when it has a concept dictionary.
    void requestConcepts(const QString& layer, const loupe::CellRange& cells);

signals:
    // columns x rows > 0 when the figure is a grid over the model's view (the activation
    // grid), so that hovering a cell can show that cell's dictionary.
    void figureReady(const QString& title, const loupe::RgbImage& image, int columns, int rows);
    void thumbnailReady(const QString& layer, int channel, const loupe::RgbImage& image);
    void conceptsReady(const QString& layer, const std::vector<loupe::DictionaryEntry>& concepts,
        const QStringList& labels);

private:
    struct Figure {
        RgbImage image;
        int columns = 0;
        int rows = 0;
    };
    void submitFigure(const QString& title, const QString& supersede,
        std::function<Figure(Model&, const RgbImage&, Progress&)> figure);
    void requestTopExamples(const QString& layer, const QList<int>& channels);
    widgets::DictionaryPanel* panel_;
    LayerActivations activations_;  // the latest published, for the concepts of a region
};

}  // namespace loupe::app
