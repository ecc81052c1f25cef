#pragma once
// --images DIR with labels (folder names or ImageNet file names, --synsets FILE for ambiguous
// names): the labeller and the labelled photos the texture-vs-shape commands read.

#include "app/cli/cli_args.h"
#include "core/image_labels.h"
#include "core/shape_bias.h"

namespace loupe {
class Model;
}

namespace loupe::cli {

ImageLabeler labelerFor(const Args& args, const Model& model);

// loadLabelledPhotos, each skipped file reported on stderr.
std::vector<LabelledPhoto> loadLabelledPhotos(
    const std::string& folder, const ImageLabeler& labeler, const Model& model, int maximum);

}  // namespace loupe::cli
