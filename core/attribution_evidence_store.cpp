#include "core/attribution_evidence_store.h"

#include "core/attribution_store.h"
#include "core/binary_io.h"
#include "core/workspace_cache.h"

#include <sstream>

namespace loupe {
namespace {

constexpr std::uint32_t kMetricsMagic = 0x4C414D31;  // "LAM1"
constexpr std::uint32_t kHeavyMagic = 0x4C414831;  // "LAH1"
constexpr std::uint32_t kSanityMagic = 0x4C415332;  // "LAS2"

void putCurve(BinaryWriter& w, const PerturbationCurve& c)
{
    w.putVector(c.fractions);
    w.putVector(c.scores);
    w.put(c.auc);
}

PerturbationCurve getCurve(BinaryReader& r)
{
    PerturbationCurve c;
    c.fractions = r.getVector<float>();
    c.scores = r.getVector<float>();
    c.auc = r.get<float>();
    if (c.fractions.size() != c.scores.size())
        r.corrupt();
    return c;
}

void putSimilarity(BinaryWriter& w, const MapSimilarity& s)
{
    w.put(s.spearman);
    w.put(s.ssim);
    w.put(s.topOverlap);
}

MapSimilarity getSimilarity(BinaryReader& r)
{
    MapSimilarity s;
    s.spearman = r.get<float>();
    s.ssim = r.get<float>();
    s.topOverlap = r.get<float>();
    return s;
}

}  // namespace

std::string serializeAttributionMetrics(const AttributionMetrics& m)
{
    BinaryWriter w;
    w.put(kMetricsMagic);
    w.putString(m.quantity);
    w.put(std::int32_t(m.fill));
    putCurve(w, m.deletion);
    putCurve(w, m.insertion);
    w.put(m.sparseness);
    w.put(m.complexity);
    w.put(std::uint8_t(m.hasCompleteness));
    w.put(m.completenessGap);
    return std::move(w.out);
}

AttributionMetrics deserializeAttributionMetrics(const std::string& bytes)
{
    BinaryReader r(bytes, "the stored attribution metrics");
    if (r.get<std::uint32_t>() != kMetricsMagic)
        throw Error("the stored attribution metrics have an unknown format");
    AttributionMetrics m;
    m.quantity = r.getString();
    m.fill = ImputationFill(r.get<std::int32_t>());
    m.deletion = getCurve(r);
    m.insertion = getCurve(r);
    m.sparseness = r.get<float>();
    m.complexity = r.get<float>();
    m.hasCompleteness = r.get<std::uint8_t>() != 0;
    m.completenessGap = r.get<float>();
    if (!r.atEnd())
        r.corrupt();
    return m;
}

std::string serializeHeavyMetrics(const HeavyAttributionMetrics& m)
{
    BinaryWriter w;
    w.put(kHeavyMagic);
    w.put(m.muFidelity);
    putCurve(w, m.roadDeletion);
    putCurve(w, m.roadInsertion);
    return std::move(w.out);
}

HeavyAttributionMetrics deserializeHeavyMetrics(const std::string& bytes)
{
    BinaryReader r(bytes, "the stored attribution metrics");
    if (r.get<std::uint32_t>() != kHeavyMagic)
        throw Error("the stored attribution metrics have an unknown format");
    HeavyAttributionMetrics m;
    m.muFidelity = r.get<float>();
    m.roadDeletion = getCurve(r);
    m.roadInsertion = getCurve(r);
    if (!r.atEnd())
        r.corrupt();
    return m;
}

std::string serializeSanityReport(const SanityReport& report)
{
    BinaryWriter w;
    w.put(kSanityMagic);
    w.put(std::uint64_t(report.cascade.size()));
    for (const auto& step : report.cascade) {
        w.putString(step.block);
        putSimilarity(w, step.similarity);
    }
    w.put(std::uint8_t(report.hasRandomTarget));
    w.putString(report.hasRandomTarget ? report.randomTarget.toString() : std::string());
    putSimilarity(w, report.randomTargetSimilarity);
    w.put(std::int32_t(report.upperHalfStep));
    w.put(std::uint8_t(report.flagged));
    w.putString(report.warning);
    return std::move(w.out);
}

SanityReport deserializeSanityReport(const std::string& bytes)
{
    BinaryReader r(bytes, "the stored sanity check");
    if (r.get<std::uint32_t>() != kSanityMagic)
        throw Error("the stored sanity check has an unknown format");
    SanityReport report;
    const auto steps = r.get<std::uint64_t>();
    if (steps > bytes.size())
        r.corrupt();
    for (std::uint64_t i = 0; i < steps; ++i) {
        RandomisationStep step;
        step.block = r.getString();
        step.similarity = getSimilarity(r);
        report.cascade.push_back(step);
    }
    report.hasRandomTarget = r.get<std::uint8_t>() != 0;
    const std::string target = r.getString();
    if (report.hasRandomTarget)
        report.randomTarget = AttributionTarget::parse(target);
    report.randomTargetSimilarity = getSimilarity(r);
    report.upperHalfStep = r.get<std::int32_t>();
    report.flagged = r.get<std::uint8_t>() != 0;
    report.warning = r.getString();
    if (!r.atEnd())
        r.corrupt();
    return report;
}

AttributionMetrics cachedFaithfulness(Model& model, Workspace* workspace, const RgbImage& image,
    const AttributionConfig& config, const AttributionMap& map,
    const FaithfulnessConfig& faithfulness, Progress& progress, bool* fromCache)
{
    std::ostringstream key;
    key << attributionCacheKey(image, config) << "|steps=" << faithfulness.steps
        << "|fill=" << toString(faithfulness.fill) << "|seed=" << faithfulness.seed;
    return readOrMake<AttributionMetrics>(
        workspace, "attribution-metrics", key.str(), fromCache, deserializeAttributionMetrics,
        [&] {
            return measureFaithfulness(
                model, image, map, config.method, config.target, faithfulness, progress);
        },
        serializeAttributionMetrics);
}

HeavyAttributionMetrics cachedHeavyMetrics(Model& model, Workspace* workspace,
    const RgbImage& image, const AttributionConfig& config, const AttributionMap& map,
    Progress& progress, bool* fromCache)
{
    return readOrMake<HeavyAttributionMetrics>(
        workspace, "attribution-heavy-metrics", attributionCacheKey(image, config), fromCache,
        deserializeHeavyMetrics,
        [&] {
            return measureHeavyMetrics(
                model, image, map, config.method, config.target, progress, config.seed);
        },
        serializeHeavyMetrics);
}

SanityReport cachedSanityReport(Model& model, Workspace* workspace, const RgbImage& image,
    const AttributionConfig& config, const AttributionMap& map, const SanityConfig& sanity,
    Progress& progress, bool* fromCache)
{
    std::ostringstream key;
    key << attributionCacheKey(image, config) << "|top=" << sanity.topFraction
        << "|flag=" << sanity.flagSpearman << "," << sanity.flagRandomTargetSpearman
        << "|random=" << sanity.randomTarget << "|seed=" << sanity.seed;
    return readOrMake<SanityReport>(
        workspace, "attribution-sanity", key.str(), fromCache, deserializeSanityReport,
        [&] { return checkAttributionSanity(model, image, config, sanity, progress, &map); },
        serializeSanityReport);
}

}  // namespace loupe
