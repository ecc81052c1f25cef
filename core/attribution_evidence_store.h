#pragma once
// The evidence beside an attribution map — its faithfulness metrics, the heavier measures and
// the method's sanity check — cached in the workspace under the map's own key plus their
// settings: the dock shows them whenever the map is shown, without running them again.

#include "core/attribution_metrics.h"
#include "core/attribution_sanity.h"

#include <string>

namespace loupe {

class Workspace;

std::string serializeAttributionMetrics(const AttributionMetrics& metrics);
AttributionMetrics deserializeAttributionMetrics(const std::string& bytes);  // throws loupe::Error
std::string serializeHeavyMetrics(const HeavyAttributionMetrics& metrics);
HeavyAttributionMetrics deserializeHeavyMetrics(const std::string& bytes);
std::string serializeSanityReport(const SanityReport& report);
SanityReport deserializeSanityReport(const std::string& bytes);

// `map` is the one `config` produced for `image` (cachedAttribution); with no workspace the
// evidence is computed.
AttributionMetrics cachedFaithfulness(Model& model, Workspace* workspace, const RgbImage& image,
    const AttributionConfig& config, const AttributionMap& map,
    const FaithfulnessConfig& faithfulness, Progress& progress, bool* fromCache = nullptr);
HeavyAttributionMetrics cachedHeavyMetrics(Model& model, Workspace* workspace,
    const RgbImage& image, const AttributionConfig& config, const AttributionMap& map,
    Progress& progress, bool* fromCache = nullptr);
SanityReport cachedSanityReport(Model& model, Workspace* workspace, const RgbImage& image,
    const AttributionConfig& config, const AttributionMap& map, const SanityConfig& sanity,
    Progress& progress, bool* fromCache = nullptr);

}  // namespace loupe
