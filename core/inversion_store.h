#pragma once
// Feature inversions in the model's workspace, keyed by the image's pixels and every setting:
// an inversion asked for again (the same photo, layers, steps, weights, seed) is read back at
// once instead of optimised for minutes.

#include "core/inversion.h"

#include <string>

namespace loupe {

class Workspace;

std::string inversionCacheKey(const RgbImage& photo, const InversionConfig& config);
std::string serializeInversion(const Inversion& inversion);
Inversion deserializeInversion(const std::string& bytes);  // throws loupe::Error

// Without a workspace it just computes. A cached result arrives whole (no previews); a cache
// write that fails (a full disk) still returns the result.
Inversion cachedInversion(Model& model, Workspace* workspace, const RgbImage& photo,
    const InversionConfig& config, Progress& progress, const InversionPreview& preview = {},
    bool* fromCache = nullptr);

}  // namespace loupe
