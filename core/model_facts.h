#pragma once
// What opening a model learns by running it — its class count and every layer's shape and
// capturability — stored in the model's workspace under its file hash, so that a reopen reads
// it back instead of running graph surgery and two first forwards (slow: TorchScript profiles
// and optimises a graph on its first runs).

#include "core/model.h"

#include <string>
#include <vector>

namespace loupe {

struct ModelFacts {
    int numClasses = 0;
    std::vector<LayerInfo> layers;
};

std::string serializeModelFacts(const ModelFacts& facts);
ModelFacts deserializeModelFacts(const std::string& bytes);  // throws loupe::Error

constexpr const char* kModelFactsKind = "model-facts";
// The entry's key: the facts' format version (a new Loupe recomputes older ones).
constexpr const char* kModelFactsKey = "v1";

}  // namespace loupe
