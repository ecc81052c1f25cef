#pragma once

#include "app/feature_module.h"
#include "core/concept_dictionary_store.h"
#include "core/concept_page.h"

#include <memory>

namespace loupe::widgets {
class ConceptsPanel;
}

namespace loupe::app {

// Learned concept dictionaries (sparse autoencoders over a layer's activation vectors): the
// vectors collected into a store beside the workspace (resumable), a dictionary trained with
// live curves and kept in the workspace with its quality, agreement and concept index, and a
// page per concept (feature visualization of its direction, strongest patches beside its top
// channel's, activation histogram). Concepts are objectives everywhere as
// concept:LAYER:INDEX, and can be named and saved as directions.
class ConceptsModule : public FeatureModule {
    Q_OBJECT
public:
    ConceptsModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::ConceptsPanel* panel() const { return panel_; }

    void requestEstimate(const QString& layer, const QString& folder, int maxImages, int perImage);
    void requestCollection(
        const QString& layer, const QString& folder, int maxImages, int perImage);
    void requestTraining(const QString& layer, int atoms, int k, int steps, bool secondSeed);
    void requestConcept(const QString& layer, int concept);
    void requestName(const QString& layer, int concept, const QString& name);
    // Shows the layer's stored dictionary, if it has one (and then that concept's page).
    void showLayer(const QString& layer, int concept = -1);

signals:
    void estimateReady(const QString& text);
    void vectorsCollected(qint64 vectors, int images);
    void trainingStep(const loupe::TrainingStep& step);
    void dictionaryReady(const loupe::ConceptDictionaryRecord& record);
    void noDictionary(const QString& message);
    void conceptPageReady(const loupe::ConceptPage& page);
    void conceptPictureReady(int concept, const loupe::RgbImage& image);
    void conceptsFailed(const QString& message);
    void directionSaved(const QString& name);

private:
    // The stored vectors of `layer`, read once and kept while that layer is shown: a page
    // needs them for its crops and its top channel's ranking.
    struct Loaded {
        std::string layer;
        std::shared_ptr<const CollectedVectors> vectors;
        std::shared_ptr<const ConceptIndex> index;
    };

    widgets::ConceptsPanel* panel_;
    std::shared_ptr<Loaded> loaded_;
};

}  // namespace loupe::app
