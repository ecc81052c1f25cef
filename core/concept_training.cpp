#include "core/concept_training.h"

#include "core/concept_page.h"
#include "core/concept_replacement.h"
#include "core/error.h"
#include "core/workspace.h"

#include <chrono>

namespace loupe {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A stage of the whole job as a share of its progress bar.
Progress stage(Progress& whole, double from, double to, const std::string& label)
{
    return Progress(
        [&whole, from, to, label](double f, const std::string& text) {
            whole.report(from + (to - from) * f, label + text);
        },
        whole);
}

}  // namespace

TrainedConcepts trainConcepts(Model& model, Workspace* workspace, const CollectedVectors& vectors,
    const ConceptTrainingOptions& options, Progress& progress,
    const std::function<void(const TrainingStep&)>& onStep,
    const std::function<void(const ConceptDictionaryRecord&)>& checkpointKept)
{
    TrainedConcepts out;
    ConceptDictionaryRecord& record = out.record;
    record.layer = vectors.layer;
    record.config = options.config;
    record.vectors = vectors.vectors.count();
    record.images = int(vectors.images.size());
    record.names.assign(size_t(std::max(0, options.config.atoms)), std::string());
    const double trainingEnd = options.secondSeed ? 0.35 : 0.7;
    SparseDictionary checkpoint;
    auto start = std::chrono::steady_clock::now();
    {
        Progress training = stage(progress, 0, trainingEnd, "training: ");
        try {
            record.dictionary = trainTopKDictionary(
                vectors.vectors, options.config, training,
                [&](const TrainingStep& step) {
                    record.history.push_back(step);
                    if (onStep)
                        onStep(step);
                },
                &checkpoint);
        } catch (const Cancelled&) {
            if (checkpoint.atoms > 0) {
                record.dictionary = checkpoint;
                record.finished = false;
                record.quality = measureDictionary(checkpoint, vectors.vectors);
                if (workspace)
                    workspace->cacheBestEffort([&] { saveConceptDictionary(*workspace, record); });
                if (checkpointKept)
                    checkpointKept(record);
            }
            throw;
        }
    }
    out.seconds.training = secondsSince(start);
    progress.report(trainingEnd, "measuring the dictionary");
    start = std::chrono::steady_clock::now();
    record.quality = measureDictionary(record.dictionary, vectors.vectors);
    out.seconds.measuring = secondsSince(start);
    start = std::chrono::steady_clock::now();
    if (options.secondSeed) {
        SparseDictionaryConfig other = options.config;
        other.seed = options.config.seed + 1;
        Progress second = stage(progress, 0.35, 0.7, "second seed: ");
        record.stability = matchedCosine(record.dictionary.decoder,
            trainTopKDictionary(vectors.vectors, other, second).decoder,
            record.dictionary.dimensions);
    }
    out.seconds.secondSeed = secondsSince(start);
    start = std::chrono::steady_clock::now();
    Progress indexing = stage(progress, 0.7, 0.85, "");
    out.index = indexConcepts(
        record.dictionary, vectors.vectors, kConceptTopVectors, kConceptHistogramBins, indexing);
    out.seconds.indexing = secondsSince(start);
    start = std::chrono::steady_clock::now();
    if (options.agreementImages > 0) {
        Progress agreement = stage(progress, 0.85, 1.0, "top-1 agreement: ");
        try {
            record.agreement = measureReplacement(model, vectors.layer, record.dictionary,
                vectors.folder, options.agreementImages, agreement);
        } catch (const Cancelled&) {
            throw;
        } catch (const Error&) {
            // The photos moved, or the model is no classifier: the rest stands without it.
        }
    }
    out.seconds.agreement = secondsSince(start);
    if (workspace)
        workspace->cacheBestEffort([&] { saveConceptDictionary(*workspace, record, &out.index); });
    return out;
}

}  // namespace loupe
