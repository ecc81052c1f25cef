#pragma once
// Attribution evidence as the CLI prints it (attribute --metrics, sanity).

#include "core/attribution_metrics.h"
#include "core/attribution_sanity.h"
#include "core/json.h"

namespace loupe::cli {

Json metricsJson(const AttributionMetrics& metrics);
Json heavyMetricsJson(const HeavyAttributionMetrics& metrics);
Json sanityJson(const SanityReport& report);

}  // namespace loupe::cli
