#pragma once
// The one list of attribution methods: the engine, the Attribution dock's list and the CLI's
// help all read it, so adding a method means adding a row here and its case in the engine.

#include "core/attribution.h"

#include <string>
#include <vector>

namespace loupe {

struct AttributionMethodInfo {
    AttributionMethod method;
    std::string name;  // command-line and cache name: "ig"
    std::string label;  // human name: "Integrated gradients"
    bool needsSpatialLayer = false;  // Grad-CAM(++) explain through the selected spatial layer
    bool isSigned = false;  // the map has a sign (diverging colour map)
    std::string parameters;  // the AttributionConfig fields it reads, for help texts
};

// In the order the dock lists them.
const std::vector<AttributionMethodInfo>& attributionMethods();
const AttributionMethodInfo& attributionMethodInfo(AttributionMethod method);

// The human name for a registry name ("ig" -> "Integrated gradients"); an unknown name as is.
std::string attributionMethodLabel(const std::string& name);

// "saliency|inputxgrad|…", for usage lines and error messages.
std::string attributionMethodNames();

// Names the fill of occluded regions and the baseline of integrated gradients take on the
// command line and in the docks; unknown names throw loupe::Error listing the valid ones.
AttributionConfig::Fill occlusionFillFromString(const std::string& name);
AttributionConfig::Baseline baselineFromString(const std::string& name);

}  // namespace loupe
