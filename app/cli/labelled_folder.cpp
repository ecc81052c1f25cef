#include "app/cli/labelled_folder.h"

#include "core/error.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {

ImageLabeler labelerFor(const Args& args, const Model& model)
{
    if (model.metadata().labels.empty() && !args.has("synsets"))
        throw Error("the model has no class labels (loupe.json 'labels'), so photos cannot be "
                    "matched to classes");
    std::vector<std::string> wnids;
    if (args.has("synsets"))
        wnids = ImageLabeler::readSynsetFile(args.required("synsets"));
    return ImageLabeler(model.metadata().labels, wnids);
}

std::vector<LabelledPhoto> loadLabelledPhotos(
    const std::string& folder, const ImageLabeler& labeler, const Model& model, int maximum)
{
    LabelledPhotos loaded =
        loupe::loadLabelledPhotos(folder, labeler, model.metadata().input.size, maximum);
    for (const auto& [file, why] : loaded.skipped)
        std::cerr << "skipped " << file << ": " << why << "\n";
    return std::move(loaded.photos);
}

}  // namespace loupe::cli
