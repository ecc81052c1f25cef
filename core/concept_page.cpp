#include "core/concept_page.h"

#include "core/error.h"
#include "core/image_folder.h"
#include "core/model.h"
#include "core/receptive_field.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace loupe {
namespace {

std::vector<ConceptExample> examplesAt(Model& model, const CollectedVectors& store,
    const ReceptiveField& field, const std::vector<std::int64_t>& vectors,
    const std::function<float(std::int64_t)>& activation, int cropSize)
{
    std::vector<ConceptExample> out;
    const int inputSize = model.metadata().input.size;
    for (std::int64_t v : vectors) {
        const VectorOrigin& o = store.origins[size_t(v)];
        ConceptExample e;
        e.image = store.images[size_t(o.image)];
        e.x = o.x;
        e.y = o.y;
        e.activation = activation(v);
        try {
            const RgbImage photo = decodeImageForModel(
                (std::filesystem::path(store.folder) / e.image).string(), inputSize);
            e.crop = exampleImage(photo, inputSize, field, o.x, o.y, false, cropSize);
        } catch (const Error&) {
            continue;  // moved or damaged since it was collected
        }
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

std::vector<std::int64_t> onePerPhoto(
    const CollectedVectors& store, const std::vector<std::int64_t>& ranked, int count)
{
    std::vector<std::int64_t> out;
    std::vector<bool> seen(store.images.size(), false);
    for (std::int64_t v : ranked) {
        const auto image = size_t(store.origins[size_t(v)].image);
        if (seen[image])
            continue;
        seen[image] = true;
        out.push_back(v);
        if (int(out.size()) == count)
            break;
    }
    return out;
}

ConceptSummary summariseConcept(
    const SparseDictionary& dictionary, const VectorSet& vectors, int atom)
{
    const std::vector<float> codes = conceptActivations(dictionary, vectors, atom);
    ConceptSummary s;
    std::int64_t firing = 0;
    for (float a : codes) {
        firing += a > 0;
        s.maxActivation = std::max(s.maxActivation, a);
    }
    s.firingShare = codes.empty() ? 0.f : float(firing) / float(codes.size());
    s.histogram.assign(size_t(kConceptHistogramBins), 0);
    if (s.maxActivation > 0)
        for (float a : codes)
            if (a > 0)
                ++s.histogram[size_t(std::min(kConceptHistogramBins - 1,
                    int(a / s.maxActivation * float(kConceptHistogramBins))))];
    for (const auto& hit : topVectorsOfConcept(dictionary, vectors, atom, kConceptTopVectors))
        if (hit.activation > 0) {
            s.topVectors.push_back(hit.vector);
            s.topActivations.push_back(hit.activation);
        }
    return s;
}

ConceptPage makeConceptPage(Model& model, const CollectedVectors& store,
    const SparseDictionary& dictionary, const ConceptSummary& summary, int concept, int examples,
    int cropSize)
{
    if (concept < 0 || concept >= dictionary.atoms)
        throw Error("concept " + std::to_string(concept) + " is not in a dictionary of " +
            std::to_string(dictionary.atoms));
    if (store.vectors.dimensions != dictionary.dimensions)
        throw Error("the stored vectors do not fit this dictionary (another layer?)");
    ConceptPage page;
    page.layer = store.layer;
    page.concept = concept;
    page.firingShare = summary.firingShare;
    page.maxActivation = summary.maxActivation;
    page.histogram = summary.histogram;
    const ReceptiveField field = estimateReceptiveField(model, store.layer);
    const auto ranked = onePerPhoto(store, summary.topVectors, examples);
    page.examples = examplesAt(
        model, store, field, ranked,
        [&](std::int64_t v) {
            const auto at = std::find(summary.topVectors.begin(), summary.topVectors.end(), v);
            return summary.topActivations[size_t(at - summary.topVectors.begin())];
        },
        cropSize);

    const int dims = dictionary.dimensions;
    const float* direction = dictionary.decoder.data() + size_t(concept) * size_t(dims);
    page.topChannel = int(std::max_element(direction, direction + dims) - direction);
    page.topChannelWeight = direction[page.topChannel];
    const auto value = [&](std::int64_t v) {
        return store.vectors.values[size_t(v) * size_t(dims) + size_t(page.topChannel)];
    };
    std::vector<std::int64_t> byChannel(size_t(store.vectors.count()));
    std::iota(byChannel.begin(), byChannel.end(), std::int64_t(0));
    const auto keep =
        std::min<std::ptrdiff_t>(kConceptTopVectors, std::ptrdiff_t(byChannel.size()));
    std::partial_sort(byChannel.begin(), byChannel.begin() + keep, byChannel.end(),
        [&](std::int64_t a, std::int64_t b) { return value(a) > value(b); });
    byChannel.resize(size_t(keep));
    page.channelExamples =
        examplesAt(model, store, field, onePerPhoto(store, byChannel, examples), value, cropSize);
    return page;
}

}  // namespace loupe
