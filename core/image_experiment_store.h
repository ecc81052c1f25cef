#pragma once
// DeepDreams, style transfers and adversarial attacks in the model's workspace, keyed by the
// photos' pixels and every setting (the configs' cacheKey): asked for again, they are read
// back at once instead of optimised again. Without a workspace they are just computed; a
// cache write that fails (a full disk) still returns the result.

#include "core/adversarial.h"
#include "core/deepdream.h"
#include "core/style_transfer.h"

namespace loupe {

class Workspace;

Dream cachedDream(Model& model, Workspace* workspace, const RgbImage& photo,
    const DreamConfig& config, Progress& progress, const DreamPreview& preview = {},
    bool* fromCache = nullptr);

StyleTransfer cachedStyleTransfer(Model& model, Workspace* workspace, const RgbImage& content,
    const RgbImage& style, const StyleConfig& config, Progress& progress,
    const StylePreview& preview = {}, bool* fromCache = nullptr);

Attack cachedAttack(Model& model, Workspace* workspace, const RgbImage& photo,
    const AttackConfig& config, Progress& progress, bool* fromCache = nullptr);

}  // namespace loupe
