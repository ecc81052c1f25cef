#pragma once
// NMF of a layer over one image or a folder, as the NMF dock and `loupe-cli nmf` run it.

#include "core/image.h"
#include "core/nmf.h"
#include "core/progress.h"

#include <string>
#include <vector>

namespace loupe {

class Model;

struct FolderFactors {
    LayerFactors factors;
    RgbImage overlay;  // the image, or the first four side by side, in one colour per factor
    int images = 0;  // how many images were factorised
};

// Progress runs to 0.4 of `progress` (the caller renders the factors after).
FolderFactors factorizeImages(Model& model, const std::vector<RgbImage>& images,
    const std::string& layer, int k, Progress& progress);

// Up to `maxImages` images of the folder, evenly spread (NMF cost grows with positions);
// unreadable files are skipped as a scan skips them. Throws loupe::Error when none is readable.
FolderFactors factorizeFolder(Model& model, const std::string& folder, int maxImages,
    const std::string& layer, int k, Progress& progress);

}  // namespace loupe
