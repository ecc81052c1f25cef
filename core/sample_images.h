#pragma once

#include "core/progress.h"

#include <string>

namespace loupe {

// A folder of images from the built-in model's procedural dataset (class_name/NNN.png), so that
// the dataset docks (examples, distributions, rotation tuning, atlases) can be tried on a fresh
// install without images of one's own. Seeds are far from the ones training draws. Files
// already there are kept (a second call writes nothing); returns how many were written.
int writeShapeSampleFolder(const std::string& folder, int perClass, int size, Progress& progress);

}  // namespace loupe
