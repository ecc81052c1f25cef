#pragma once

#include "core/featurevis.h"

#include <string>
#include <vector>

namespace loupe {

class Workspace;

// Directions in a layer's channel space kept in the workspace under a name (e.g. an NMF
// factor for a concept, "fish-eye"), usable as feature-visualization objectives:
// `direction:NAME`.
struct NamedDirection {
    std::string name;
    std::string layer;
    std::vector<float> vector;
};

void saveDirection(Workspace& workspace, const NamedDirection& direction);
NamedDirection loadDirection(
    const Workspace& workspace, const std::string& name);  // throws loupe::Error
std::vector<std::string> directionNames(const Workspace& workspace);

// Fills in the layer and vector of every Direction term that names a saved direction.
void resolveDirections(std::vector<ObjectiveTerm>& objective, const Workspace& workspace);

}  // namespace loupe
