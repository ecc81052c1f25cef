// measureDegradations: decode each labelled photo once, degrade it every way, classify the
// degraded images in batches, count.
#include "core/classify.h"
#include "core/degradations.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/image_io.h"
#include "core/model.h"
#include "core/thread_budget.h"

#include <filesystem>

namespace loupe {
namespace {

constexpr int kChunk = 16;  // photos decoded and classified together

// <masks>/<relative path without extension>.png, when it exists.
std::string maskPath(const std::string& masksFolder, const std::string& relative)
{
    if (masksFolder.empty())
        return {};
    auto path = std::filesystem::path(masksFolder) / relative;
    path.replace_extension(".png");
    return std::filesystem::exists(path) ? path.string() : std::string();
}

}  // namespace

DegradationTable measureDegradations(Model& model, const std::string& folder,
    const ImageLabeler& labeler, const DegradationConfig& config, Progress& progress)
{
    if (model.numClasses() == 0)
        throw Error("this model has no classifier output, so it has no accuracy to measure");
    if (config.kinds.empty())
        throw Error("choose at least one degradation");
    DegradationTable table;
    for (Degradation kind : config.kinds)
        table.rows.push_back({kind});

    std::vector<std::string> files;
    std::vector<int> classes;
    for (const auto& file : evenlySpread(listImages(folder), config.maxImages)) {
        const int k = labeler.classOf(file);
        if (k < 0) {
            table.leftOut.emplace_back(file,
                "no class: neither its folder nor its name is one "
                "of the model's labels");
            continue;
        }
        files.push_back(file);
        classes.push_back(k);
    }
    const int size = model.metadata().input.size;
    const int threads = threadBudget();
    for (size_t first = 0; first < files.size(); first += kChunk) {
        progress.checkCancelled();
        const size_t last = std::min(files.size(), first + kChunk);
        const auto decoded = decodeImages(folder, files, first, last, size, threads);
        std::vector<RgbImage> batch;
        std::vector<std::pair<size_t, int>> owner;  // (row, class) of each batch image
        for (const DecodedImage& photo : decoded) {
            const std::string& file = files[size_t(photo.index)];
            if (!photo.error.empty()) {
                table.leftOut.emplace_back(file, photo.error);
                continue;
            }
            ++table.photos;
            for (size_t r = 0; r < table.rows.size(); ++r) {
                const Degradation kind = table.rows[r].kind;
                RgbImage mask;
                if (kind == Degradation::Silhouette) {
                    const std::string path = maskPath(config.masksFolder, file);
                    try {
                        mask = path.empty() ? RgbImage() : loadImage(path);
                    } catch (const Error&) {
                        mask = RgbImage();
                    }
                    if (mask.empty()) {
                        ++table.rows[r].skipped;
                        continue;
                    }
                }
                batch.push_back(degradeImage(photo.image, kind, &mask));
                owner.emplace_back(r, classes[size_t(photo.index)]);
            }
        }
        Progress quiet;
        const auto predictions = classifyImages(model, batch, 5, quiet);
        for (size_t i = 0; i < predictions.size(); ++i) {
            DegradationRow& row = table.rows[owner[i].first];
            ++row.images;
            for (size_t j = 0; j < predictions[i].size(); ++j)
                if (predictions[i][j].index == owner[i].second) {
                    row.top1 += j == 0;
                    ++row.top5;
                }
        }
        progress.report(double(last) / double(files.size()),
            std::to_string(last) + "/" + std::to_string(files.size()) + " photos");
    }
    return table;
}

}  // namespace loupe
