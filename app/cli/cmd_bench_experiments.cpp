// loupe-cli bench pgd|style|degrade: the image-space experiments against bare LibTorch passes
// measured in the same run.
#include "app/cli/cli_workspace.h"
#include "app/cli/bench_support.h"
#include "app/cli/commands.h"
#include "core/adversarial.h"
#include "core/bare_passes.h"
#include "core/degradations.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/image_io.h"
#include "core/image_labels.h"
#include "core/json.h"
#include "core/model.h"
#include "core/style_transfer.h"
#include "core/synthetic_shapes.h"

#include <algorithm>
#include <chrono>
#include <iostream>

namespace loupe::cli {
namespace {

template <typename F> double seconds(F&& f)
{
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

RgbImage benchImage(const Args& args, const char* option)
{
    return args.has(option) ? loadImage(args.required(option))
                            : renderShapeSample(ShapeClass::Star, 1, 256);
}

}  // namespace

int benchPgd(const Args& args)
{
    args.allowOnly({"model", "device", "image", "steps", "repeats"});
    const auto model = loadModel(args);
    const RgbImage image = benchImage(args, "image");
    AttackConfig config;
    config.steps = args.positiveInt("steps", 10);
    Progress progress;
    AttackConfig warm = config;
    warm.steps = 1;
    attackImage(*model, image, warm, progress);
    // Interleaved repeats, medians: a 2-core machine's timings wander by +-20 % run to run.
    const int repeats = args.intValue("repeats", 5, 1, 100);
    std::vector<double> pgds, bares;
    for (int r = 0; r < repeats; ++r) {
        pgds.push_back(seconds([&] { attackImage(*model, image, config, progress); }));
        bares.push_back(bareForwardBackwardSeconds(*model, image, config.steps));
    }
    const double pgd = median(pgds), bare = median(bares);
    Json out = Json::object();
    out["device"] = model->device().name;
    out["input"] = model->metadata().input.size;
    out["steps"] = config.steps;
    out["repeats"] = repeats;
    out["pgd_s"] = pgd;
    out["bare_forward_backward_s"] = bare;
    out["pgd_vs_bare"] = pgd / bare;  // target: <= 1.2
    std::cout << out.dump(2) << std::endl;
    return 0;
}

int benchStyle(const Args& args)
{
    args.allowOnly({"model", "device", "content", "style", "steps"});
    const auto model = loadModel(args);
    const RgbImage content = benchImage(args, "content");
    const RgbImage style = args.has("style") ? loadImage(args.required("style"))
                                             : renderShapeSample(ShapeClass::Dots, 2, 256);
    StyleConfig config;
    config.steps = args.positiveInt("steps", 300);
    Progress progress;
    StyleTransfer result;
    const double total =
        seconds([&] { result = transferStyle(*model, content, style, config, progress); });
    const double bare = bareForwardBackwardSeconds(*model, content, config.steps);
    Json out = Json::object();
    out["device"] = model->device().name;
    out["input"] = model->metadata().input.size;
    out["steps"] = config.steps;
    out["content_layer"] = result.contentLayer;
    out["style_s"] = total;  // target: < 60 at 224 px, 300 steps
    out["bare_whole_network_forward_backward_s"] = bare;
    out["style_vs_bare"] = total / bare;
    out["style_loss_first_last"] = Json::array();
    out["style_loss_first_last"].push(result.styleLoss.front());
    out["style_loss_first_last"].push(result.styleLoss.back());
    std::cout << out.dump(2) << std::endl;
    return 0;
}

int benchDegrade(const Args& args)
{
    args.allowOnly({"model", "device", "images", "synsets", "max-images"});
    const auto model = loadModel(args);
    std::vector<std::string> wnids;
    if (args.has("synsets"))
        wnids = ImageLabeler::readSynsetFile(args.required("synsets"));
    const ImageLabeler labeler(model->metadata().labels, wnids);
    DegradationConfig config;
    config.maxImages = args.intValue("max-images", 100, 1);
    Progress progress;
    DegradationTable table;
    const std::string folder = args.required("images");
    const double total =
        seconds([&] { table = measureDegradations(*model, folder, labeler, config, progress); });
    // The baseline: only the forward passes of as many (undecoded) inputs, in the same batches.
    std::vector<RgbImage> inputs;
    int evaluated = 0;
    for (const auto& row : table.rows)
        evaluated += row.images;
    const RgbImage sample = renderShapeSample(ShapeClass::Star, 1, model->metadata().input.size);
    inputs.assign(size_t(evaluated), sample);
    const double bare = bareForwardSeconds(*model, inputs, 16);
    Json out = Json::object();
    out["device"] = model->device().name;
    out["photos"] = table.photos;
    out["evaluated_images"] = evaluated;
    out["table_s"] = total;  // target: < 120 for 100 photos
    out["bare_forward_s"] = bare;
    out["table_vs_bare_forward"] = total / bare;
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
