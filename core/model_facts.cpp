#include "core/model_facts.h"

#include "core/binary_io.h"

namespace loupe {
namespace {

constexpr std::uint32_t kMagic = 0x4C4D4631;  // "LMF1"

}  // namespace

std::string serializeModelFacts(const ModelFacts& facts)
{
    BinaryWriter w;
    w.put(kMagic);
    w.put(std::int32_t(facts.numClasses));
    w.put(std::uint32_t(facts.layers.size()));
    for (const LayerInfo& l : facts.layers) {
        w.putString(l.path);
        w.putString(l.type);
        w.putString(l.alias);
        w.put(std::int32_t(l.depth));
        w.putVector(l.shape);
        w.put(std::int64_t(l.parameters));
        w.put(std::uint8_t(l.addressable));
        w.putString(l.note);
    }
    return w.out;
}

ModelFacts deserializeModelFacts(const std::string& bytes)
{
    BinaryReader r(bytes, "stored model facts");
    if (r.get<std::uint32_t>() != kMagic)
        r.corrupt();
    ModelFacts facts;
    facts.numClasses = r.get<std::int32_t>();
    const auto count = r.get<std::uint32_t>();
    if (count > bytes.size())  // every layer takes bytes
        r.corrupt();
    for (std::uint32_t i = 0; i < count; ++i) {
        LayerInfo l;
        l.path = r.getString();
        l.type = r.getString();
        l.alias = r.getString();
        l.depth = r.get<std::int32_t>();
        l.shape = r.getVector<std::int64_t>();
        l.parameters = r.get<std::int64_t>();
        l.addressable = r.get<std::uint8_t>() != 0;
        l.note = r.getString();
        facts.layers.push_back(std::move(l));
    }
    if (!r.atEnd() || facts.numClasses < 0)
        r.corrupt();
    return facts;
}

}  // namespace loupe
