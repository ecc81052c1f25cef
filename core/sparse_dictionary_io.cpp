#include "core/binary_io.h"
#include "core/sparse_dictionary.h"

namespace loupe {

constexpr std::uint32_t kDictionaryMagic = 0x4C534431;  // "LSD1"
constexpr std::uint32_t kIndexMagic = 0x4C534931;  // "LSI1"

std::string serializeSparseDictionary(const SparseDictionary& d)
{
    BinaryWriter w;
    w.put(kDictionaryMagic);
    for (int v : {d.dimensions, d.atoms, d.k})
        w.put(std::int32_t(v));
    w.putVector(d.encoder);
    w.putVector(d.encoderBias);
    w.putVector(d.decoder);
    w.putVector(d.centre);
    return std::move(w.out);
}

SparseDictionary deserializeSparseDictionary(const std::string& bytes)
{
    BinaryReader r(bytes, "the stored concept dictionary");
    if (r.get<std::uint32_t>() != kDictionaryMagic)
        throw Error("not a concept dictionary (unknown format)");
    SparseDictionary d;
    d.dimensions = r.get<std::int32_t>();
    d.atoms = r.get<std::int32_t>();
    d.k = r.get<std::int32_t>();
    d.encoder = r.getVector<float>();
    d.encoderBias = r.getVector<float>();
    d.decoder = r.getVector<float>();
    d.centre = r.getVector<float>();
    const size_t weights = size_t(std::max(0, d.atoms)) * size_t(std::max(0, d.dimensions));
    if (!r.atEnd() || d.atoms <= 0 || d.dimensions <= 0 || d.k < 1 || d.k > d.atoms ||
        d.encoder.size() != weights || d.decoder.size() != weights ||
        d.encoderBias.size() != size_t(d.atoms) || d.centre.size() != size_t(d.dimensions))
        r.corrupt();
    return d;
}

std::string serializeConceptIndex(const ConceptIndex& index)
{
    BinaryWriter w;
    w.put(kIndexMagic);
    for (int v : {index.atoms, index.top, index.bins})
        w.put(std::int32_t(v));
    w.putVector(index.topVectors);
    w.putVector(index.topActivations);
    w.putVector(index.maxActivation);
    w.putVector(index.firingShare);
    w.putVector(index.histogram);
    return std::move(w.out);
}

ConceptIndex deserializeConceptIndex(const std::string& bytes)
{
    BinaryReader r(bytes, "the stored concept index");
    if (r.get<std::uint32_t>() != kIndexMagic)
        throw Error("not a concept index (unknown format)");
    ConceptIndex index;
    index.atoms = r.get<std::int32_t>();
    index.top = r.get<std::int32_t>();
    index.bins = r.get<std::int32_t>();
    index.topVectors = r.getVector<std::int64_t>();
    index.topActivations = r.getVector<float>();
    index.maxActivation = r.getVector<float>();
    index.firingShare = r.getVector<float>();
    index.histogram = r.getVector<std::int32_t>();
    const auto atoms = size_t(std::max(0, index.atoms));
    if (!r.atEnd() || index.atoms <= 0 || index.top < 0 || index.bins <= 0 ||
        index.topVectors.size() != atoms * size_t(index.top) ||
        index.topActivations.size() != index.topVectors.size() ||
        index.maxActivation.size() != atoms || index.firingShare.size() != atoms ||
        index.histogram.size() != atoms * size_t(index.bins))
        r.corrupt();
    return index;
}

ConceptSummary ConceptIndex::summary(int atom) const
{
    if (atom < 0 || atom >= atoms)
        throw Error("concept " + std::to_string(atom) + " is not in a dictionary of " +
            std::to_string(atoms));
    ConceptSummary s;
    const size_t row = size_t(atom) * size_t(top);
    for (int i = 0; i < top && topVectors[row + size_t(i)] >= 0; ++i) {
        s.topVectors.push_back(topVectors[row + size_t(i)]);
        s.topActivations.push_back(topActivations[row + size_t(i)]);
    }
    s.maxActivation = maxActivation[size_t(atom)];
    s.firingShare = firingShare[size_t(atom)];
    const auto h = histogram.begin() + std::ptrdiff_t(atom) * bins;
    s.histogram.assign(h, h + bins);
    return s;
}

}  // namespace loupe
