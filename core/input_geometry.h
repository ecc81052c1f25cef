#pragma once

#include "core/image.h"

namespace loupe {

// How an image becomes a model input, geometrically: the shorter side resized to `size`,
// then the centre size x size square. The one definition, used by preprocessing and to map
// activation positions back onto the picture.
RgbImage resizeAndCenterCrop(const RgbImage& image, int size);

}  // namespace loupe
