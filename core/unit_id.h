#pragma once

#include <optional>
#include <string>

namespace loupe {

// A unit is `layer:channel`, a neuron `layer:channel@x,y`, a layer alone is `layer`.
// The one parser used by the GUI, the CLI and the workspace keys.
struct UnitId {
    std::string layer;
    int channel = -1;  // -1: the whole layer
    int x = -1;  // -1: no spatial position
    int y = -1;

    bool hasChannel() const { return channel >= 0; }
    bool hasPosition() const { return x >= 0 && y >= 0; }
    std::string toString() const;

    // Throws loupe::Error with the reason on malformed text.
    static UnitId parse(const std::string& text);
};

bool operator==(const UnitId& a, const UnitId& b);

}  // namespace loupe
