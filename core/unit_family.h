#pragma once

#include <string>
#include <vector>

namespace loupe {

class Workspace;

// A named group of channels of one layer that a user studies together (e.g. "3b curves"),
// kept in the workspace; tuning experiments record a whole family in one pass.
struct UnitFamily {
    std::string name;
    std::string layer;
    std::vector<int> channels;

    std::string toString() const;  // "layer:c1,c2,..."
    // "layer:c1,c2,c3" (the layer may itself contain ':' only before the last one); throws.
    static UnitFamily parse(const std::string& text);
};

void saveFamily(Workspace& workspace, const UnitFamily& family);  // throws on a bad name
UnitFamily loadFamily(const Workspace& workspace, const std::string& name);  // throws loupe::Error
std::vector<std::string> familyNames(const Workspace& workspace);

// A family given either as a saved name or as "layer:c1,c2,...".
UnitFamily familyFromText(const Workspace* workspace, const std::string& text);

}  // namespace loupe
