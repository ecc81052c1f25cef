#pragma once
// Shared output of the image-experiment commands (dream, style, adversarial): predictions and
// loss curves as JSON, images side by side in one --out strip.

#include "core/activations.h"
#include "core/image.h"
#include "core/json.h"

#include <string>
#include <vector>

namespace loupe::cli {

Json predictionsJson(const std::vector<Prediction>& predictions);
Json floatsJson(const std::vector<float>& values);
// Saves the images side by side (4 px white gaps) to `path`; throws loupe::Error.
void saveStrip(const std::vector<RgbImage>& images, const std::string& path);

}  // namespace loupe::cli
