#pragma once

#include "core/json.h"

#include <array>
#include <map>
#include <string>
#include <vector>

namespace loupe {

// How the model wants its input: what `loupe.json`'s "input" object says.
struct InputSpec {
    int size = 224;
    bool bgr = false;  // colour order of the input tensor's channels
    float rangeMin = 0.f;  // pixel value range before mean/std
    float rangeMax = 1.f;
    std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
    std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

// The optional `loupe.json` extra file stored inside a TorchScript archive.
struct ModelMetadata {
    std::string name;
    std::string source;
    std::string license;
    std::vector<std::string> labels;
    InputSpec input;
    std::map<std::string, std::string> layerAliases;  // alias -> module path
    bool fromFile = false;  // false: defaults were used
    // Circuit edits a saved edited model carries (core/model_edits.h), with the hash of the
    // model they were made on; null for an unedited model.
    Json edits;
    std::string editedFrom;

    // Throws loupe::Error naming the field on malformed metadata.
    static ModelMetadata fromJson(const std::string& text);
    Json toJson() const;
};

}  // namespace loupe
