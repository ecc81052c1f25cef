#include "core/shape_bias.h"

#include "core/classify.h"
#include "core/error.h"
#include "core/image_experiment_store.h"
#include "core/image_folder.h"
#include "core/image_labels.h"
#include "core/model.h"

#include <cmath>
#include <filesystem>
#include <limits>

namespace loupe {

const char* cueDecisionName(CueDecision decision)
{
    switch (decision) {
    case CueDecision::Shape: return "shape";
    case CueDecision::Texture: return "texture";
    case CueDecision::Neither: return "neither";
    }
    return "?";
}

double ShapeBias::bias() const
{
    return shape + texture > 0 ? double(shape) / double(shape + texture)
                               : std::numeric_limits<double>::quiet_NaN();
}

double ShapeBias::forcedChoiceBias() const
{
    return rows.empty() ? std::numeric_limits<double>::quiet_NaN()
                        : double(forcedShape) / double(rows.size());
}

ShapeBias measureShapeBias(Model& model, const std::vector<CueConflict>& images, Progress& progress)
{
    for (const CueConflict& c : images)
        for (int k : {c.shapeClass, c.textureClass})
            if (k < 0 || k >= model.numClasses())
                throw Error("'" + c.name + "': class " + std::to_string(k) +
                    " is out of range (the model has " + std::to_string(model.numClasses()) +
                    " classes)");
    std::vector<RgbImage> pictures;
    for (const CueConflict& c : images)
        pictures.push_back(c.image);
    const auto probabilities = classProbabilities(model, pictures, progress);
    ShapeBias out;
    for (size_t i = 0; i < images.size(); ++i) {
        const auto& p = probabilities[i];
        CueConflictResult row;
        row.name = images[i].name;
        row.shapeClass = images[i].shapeClass;
        row.textureClass = images[i].textureClass;
        row.predicted = int(std::max_element(p.begin(), p.end()) - p.begin());
        row.predictedProbability = p[size_t(row.predicted)];
        row.shapeProbability = p[size_t(row.shapeClass)];
        row.textureProbability = p[size_t(row.textureClass)];
        row.decision = row.predicted == row.shapeClass ? CueDecision::Shape
            : row.predicted == row.textureClass        ? CueDecision::Texture
                                                       : CueDecision::Neither;
        out.shape += row.decision == CueDecision::Shape;
        out.texture += row.decision == CueDecision::Texture;
        out.neither += row.decision == CueDecision::Neither;
        out.forcedShape += row.shapeProbability > row.textureProbability;
        out.rows.push_back(row);
    }
    return out;
}

LabelledPhotos loadLabelledPhotos(
    const std::string& folder, const ImageLabeler& labeler, int inputSize, int maximum)
{
    LabelledPhotos out;
    std::vector<std::string> labelled;
    for (const auto& file : listImages(folder)) {
        if (labeler.classOf(file) >= 0)
            labelled.push_back(file);
        else
            out.skipped.emplace_back(file, "no class from its folder or file name");
    }
    for (const auto& file : evenlySpread(labelled, maximum)) {
        try {
            LabelledPhoto photo;
            photo.name = std::filesystem::path(file).stem().string();
            photo.image =
                decodeImageForModel((std::filesystem::path(folder) / file).string(), inputSize);
            photo.klass = labeler.classOf(file);
            out.photos.push_back(std::move(photo));
        } catch (const Error& e) {
            out.skipped.emplace_back(file, e.what());
        }
    }
    return out;
}

std::vector<std::pair<int, int>> cueConflictPairs(
    const std::vector<LabelledPhoto>& photos, int maxPairs)
{
    std::vector<std::pair<int, int>> out;
    const int n = int(photos.size());
    for (int i = 0; i < n && (maxPairs <= 0 || int(out.size()) < maxPairs); ++i)
        for (int k = 0; k < n; ++k) {
            const int j = (i + n / 2 + k) % n;
            if (j != i && photos[size_t(j)].klass != photos[size_t(i)].klass) {
                out.emplace_back(i, j);
                break;
            }
        }
    return out;
}

std::vector<CueConflict> makeCueConflicts(Model& model, Workspace* workspace,
    const std::vector<LabelledPhoto>& photos, const std::vector<std::pair<int, int>>& pairs,
    const StyleConfig& config, Progress& progress, const CueConflictPreview& preview)
{
    std::vector<CueConflict> out;
    for (size_t p = 0; p < pairs.size(); ++p) {
        const LabelledPhoto& shape = photos.at(size_t(pairs[p].first));
        const LabelledPhoto& texture = photos.at(size_t(pairs[p].second));
        Progress step(
            [&](double f, const std::string& text) {
                progress.report((double(p) + f) / double(pairs.size()),
                    "pair " + std::to_string(p + 1) + "/" + std::to_string(pairs.size()) + ": " +
                        text);
            },
            progress);
        const StyleTransfer made = cachedStyleTransfer(model, workspace, shape.image, texture.image,
            config, step, [&](const RgbImage& image, int s, float, float) {
                if (preview)
                    preview(int(p), image, s);
            });
        out.push_back({shape.name + "-" + texture.name, made.result, shape.klass, texture.klass});
    }
    return out;
}

}  // namespace loupe
