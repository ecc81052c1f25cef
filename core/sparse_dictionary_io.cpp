#include "core/binary_io.h"
#include "core/sparse_dictionary.h"

namespace loupe {

constexpr std::uint32_t kDictionaryMagic = 0x4C534431;  // "LSD1"

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

}  // namespace loupe
