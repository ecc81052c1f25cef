#include "core/nmf_workflow.h"

#include "core/colormap.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/model.h"
#include "core/thread_budget.h"

#include <algorithm>

namespace loupe {

FolderFactors factorizeImages(Model& model, const std::vector<RgbImage>& images,
    const std::string& layer, int k, Progress& progress)
{
    Progress factorising(
        [&](double f, const std::string& text) { progress.report(0.1 + 0.3 * f, text); }, progress);
    FolderFactors out;
    out.factors = factorizeLayer(model, images, layer, k, 300, 0, &factorising);
    out.images = int(images.size());
    const int size = model.metadata().input.size;
    std::vector<RgbImage> overlays;
    for (size_t i = 0; i < images.size() && i < 4; ++i)
        overlays.push_back(nmfOverlay(images[i], size, out.factors, out.factors.maps[i]));
    out.overlay = overlays.size() == 1 ? overlays.front() : tileGrid(overlays, 2, size, 2, 255);
    return out;
}

FolderFactors factorizeFolder(Model& model, const std::string& folder, int maxImages,
    const std::string& layer, int k, Progress& progress)
{
    const auto files = evenlySpread(listImages(folder), maxImages);
    std::vector<RgbImage> images;
    constexpr size_t kChunk = 16;
    for (size_t begin = 0; begin < files.size(); begin += kChunk) {
        progress.checkCancelled();
        const size_t end = std::min(files.size(), begin + kChunk);
        for (auto& decoded :
            decodeImages(folder, files, begin, end, model.metadata().input.size, threadBudget()))
            if (decoded.error.empty())
                images.push_back(std::move(decoded.image));
        progress.report(0.1 * double(end) / double(files.size()),
            "reading " + std::to_string(end) + "/" + std::to_string(files.size()) + " images");
    }
    if (images.empty())
        throw Error("no readable image in '" + folder + "'");
    return factorizeImages(model, images, layer, k, progress);
}

}  // namespace loupe
