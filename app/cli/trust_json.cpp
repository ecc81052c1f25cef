#include "app/cli/trust_json.h"

namespace loupe::cli {
namespace {

Json curveJson(const PerturbationCurve& curve)
{
    Json j = Json::object();
    j["auc"] = curve.auc;
    Json fractions = Json::array(), scores = Json::array();
    for (float f : curve.fractions)
        fractions.push(f);
    for (float s : curve.scores)
        scores.push(s);
    j["fractions"] = fractions;
    j["scores"] = scores;
    return j;
}

Json similarityJson(const MapSimilarity& s)
{
    Json j = Json::object();
    j["spearman"] = s.spearman;
    j["ssim"] = s.ssim;
    j["top_overlap"] = s.topOverlap;
    return j;
}

}  // namespace

Json metricsJson(const AttributionMetrics& m)
{
    Json j = Json::object();
    j["quantity"] = m.quantity;
    j["fill"] = toString(m.fill);
    j["deletion"] = curveJson(m.deletion);
    j["insertion"] = curveJson(m.insertion);
    j["sparseness_gini"] = m.sparseness;
    j["complexity"] = m.complexity;
    if (m.hasCompleteness)
        j["completeness_gap"] = m.completenessGap;
    return j;
}

Json heavyMetricsJson(const HeavyAttributionMetrics& m)
{
    Json j = Json::object();
    j["mu_fidelity"] = m.muFidelity;
    j["road_deletion"] = curveJson(m.roadDeletion);
    j["road_insertion"] = curveJson(m.roadInsertion);
    return j;
}

Json sanityJson(const SanityReport& report)
{
    Json j = Json::object();
    Json cascade = Json::array();
    for (const auto& step : report.cascade) {
        Json s = similarityJson(step.similarity);
        s["block"] = step.block;
        cascade.push(s);
    }
    j["cascade"] = cascade;
    if (!report.cascade.empty())
        j["upper_half_randomised"] = report.cascade[size_t(report.upperHalfStep)].block;
    if (report.hasRandomTarget) {
        Json r = similarityJson(report.randomTargetSimilarity);
        r["target"] = report.randomTarget.toString();
        j["random_target"] = r;
    }
    j["flagged"] = report.flagged;
    if (report.flagged)
        j["warning"] = report.warning;
    return j;
}

}  // namespace loupe::cli
