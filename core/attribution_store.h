#pragma once

#include "core/attribution.h"
#include "core/occlusion.h"

#include <string>

namespace loupe {

class Workspace;

// Attribution and occlusion maps in the workspace, keyed by the image's pixels and every
// parameter: integrated gradients or 625 occluded copies take seconds on a CPU, and a user
// goes back and forth between images, targets and methods. With no workspace they are computed.
std::string attributionCacheKey(const RgbImage& image, const AttributionConfig& config);

std::string serializeAttributionMap(const AttributionMap& map);
AttributionMap deserializeAttributionMap(const std::string& bytes);  // throws loupe::Error
std::string serializeOcclusionClassMap(const OcclusionClassMap& map);
OcclusionClassMap deserializeOcclusionClassMap(const std::string& bytes);

// A cached result arrives whole (`partial` is not called for it).
AttributionMap cachedAttribution(Model& model, Workspace* workspace, const RgbImage& image,
    const AttributionConfig& config, Progress& progress,
    const std::function<void(const AttributionMap&)>& partial = {}, bool* fromCache = nullptr);
OcclusionClassMap cachedOcclusionTopClasses(Model& model, Workspace* workspace,
    const RgbImage& image, const AttributionConfig& config, Progress& progress,
    const std::function<void(const OcclusionClassMap&)>& partial = {}, bool* fromCache = nullptr);

}  // namespace loupe
