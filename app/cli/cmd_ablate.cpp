// loupe-cli ablate: circuit edits (zero or mean units, cut kernels) and what they break: the
// photo's top-5, accuracy over a labelled folder (against as many random units of the same
// layer), a downstream unit's tuning, occlusion; optionally the edited model saved.
#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "app/cli/experiment_output.h"
#include "app/cli/labelled_folder.h"
#include "core/atomic_file.h"
#include "core/attribution.h"
#include "core/classify.h"
#include "core/edit_evaluation.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"
#include "core/model_edits.h"
#include "core/tuning.h"
#include "core/unit_family.h"
#include "core/unit_id.h"

#include <iostream>

namespace loupe::cli {
namespace {

EditList editsFromArgs(const Args& args, const Workspace* workspace, Model& model)
{
    EditList list;
    if (args.has("edits"))
        list = EditList::fromJson(Json::parse(readWholeFile(args.value("edits"))));
    const auto addUnits = [&](const std::string& option, ModelEdit::Kind kind) {
        if (!args.has(option))
            return;
        const UnitFamily family = familyFromText(workspace, args.value(option));
        for (const auto& edit : unitEdits(kind, model.layer(family.layer).path, family.channels))
            list.add(edit);
    };
    addUnits("zero", ModelEdit::Kind::ZeroUnit);
    addUnits("mean", ModelEdit::Kind::MeanUnit);
    for (const auto& cut : splitList(args.value("cut")))
        list.add(ModelEdit::parse("cut " + cut));
    if (list.empty())
        throw Error("no edits: give --zero FAMILY, --mean FAMILY, --cut L:C<-I or --edits FILE");
    if (std::any_of(list.edits.begin(), list.edits.end(), [](const ModelEdit& e) {
            return e.kind == ModelEdit::Kind::MeanUnit && e.value == 0;
        })) {
        if (!workspace)
            throw Error("mean ablation reads the scan in the model's workspace (drop --no-cache)");
        fillScanMeans(list, *workspace, model);
    }
    return list;
}

Json accuracyJson(const AccuracyComparison& a, int classes)
{
    Json j = Json::object();
    j["images"] = a.images;
    j["top1_before"] = a.rate(a.top1Before);
    j["top5_before"] = a.rate(a.top5Before);
    j["top1_after"] = a.rate(a.top1After);
    j["top5_after"] = a.rate(a.top5After);
    j["top1_drop"] = a.rate(a.top1Before) - a.rate(a.top1After);
    Json moved = Json::array();
    for (int i = 0; i < classes && i < int(a.classes.size()); ++i) {
        const auto& c = a.classes[size_t(i)];
        if (c.change() == 0)
            break;
        Json m = Json::object();
        m["class"] = c.name;
        m["images"] = c.images;
        m["top1_before"] = c.top1Before;
        m["top1_after"] = c.top1After;
        moved.push(m);
    }
    j["classes_moved_most"] = moved;
    return j;
}

// As many random units of the edited layer as the edits hold, drawn --random-control times.
Json randomControl(const Args& args, Model& model, const Workspace* workspace,
    const EditList& edits, const std::vector<LabelledPhoto>& photos, const PhotoHits& before,
    Progress& progress)
{
    const RandomUnitControl control = randomUnitControl(model, workspace, edits, photos, before,
        args.intValue("random-control", 3, 1, 100), std::uint64_t(args.intValue("seed", 1, 0)),
        progress);
    Json list = Json::array();
    for (size_t d = 0; d < control.accuracy.size(); ++d) {
        Json j = accuracyJson(control.accuracy[d], 0);
        Json units = Json::array();
        for (int c : control.channels[d])
            units.push(c);
        j["channels"] = units;
        list.push(j);
    }
    Json out = Json::object();
    out["draws"] = list;
    out["mean_top1_drop"] = control.meanTop1Drop();
    return out;
}

Json tuningJson(const SweepResult& sweep)
{
    const auto ranked = rankByOrientationTuning(sweep, 1);
    const RadialTuning radial = radialTuning(sweep);
    Json j = Json::object();
    if (!ranked.empty()) {
        j["preferred"] = ranked[0].preferred;
        j["selectivity"] = ranked[0].selectivity;
        j["peak"] = ranked[0].peak;
    }
    j["radial"] = floatsJson(radial.responses.at(0));
    return j;
}

}  // namespace

int runAblate(const Args& args)
{
    args.allowOnly({"model", "device", "no-cache", "workspace", "zero", "mean", "cut", "edits",
        "image", "images", "synsets", "max-images", "random-control", "seed", "unit", "sweep",
        "occlusion", "save", "classes", "quiet"});
    const auto model = loadModel(args);
    const auto workspace = cacheWorkspaceForModel(args, *model);
    const EditList edits = editsFromArgs(args, workspace.get(), *model);
    auto edited = applyEdits(*model, edits);
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));

    Json out = Json::object();
    out["edits"] = edits.toJson();
    Json changed = Json::array();
    for (const auto& name : parametersThatDiffer(*model, *edited))
        changed.push(name);
    out["changed_parameters"] = changed;
    out["edited_hash"] = edited->hash();
    if (args.has("image")) {
        const RgbImage image = loadImage(args.value("image"));
        out["top5_before"] = predictionsJson(classifyImages(*model, {image}, 5, progress).at(0));
        out["top5_after"] = predictionsJson(classifyImages(*edited, {image}, 5, progress).at(0));
        if (args.has("occlusion")) {
            AttributionConfig occlusion;
            occlusion.method = AttributionMethod::Occlusion;
            const int klass = classifyImages(*model, {image}, 1, progress).at(0).at(0).index;
            occlusion.target = AttributionTarget::parse("class:" + std::to_string(klass));
            const AttributionMap before = attribute(*model, image, occlusion, progress);
            const AttributionMap after = attribute(*edited, image, occlusion, progress);
            saveStrip({before.inputView, attributionOverlay(before), attributionOverlay(after)},
                args.value("occlusion"));
            out["occlusion"] = args.value("occlusion");
            out["occlusion_class"] = model->classLabel(klass);
        }
    }
    if (args.has("images")) {
        const auto photos = loadLabelledPhotos(args.value("images"), labelerFor(args, *model),
            *model, args.intValue("max-images", 0, 0));
        const PhotoHits before = classifyHits(*model, photos, progress);
        const AccuracyComparison a =
            compareHits(before, classifyHits(*edited, photos, progress), photos, *model);
        out["accuracy"] = accuracyJson(a, args.intValue("classes", 10, 0));
        if (args.has("random-control"))
            out["random_control"] =
                randomControl(args, *model, workspace.get(), edits, photos, before, progress);
    }
    if (args.has("unit")) {
        const UnitId unit = UnitId::parse(args.value("unit"));
        if (!unit.hasChannel())
            throw Error("--unit needs a channel: layer:channel");
        SweepConfig sweep;
        sweep.axes = parseSweep(args.value("sweep", "orientation=0:360:10,curvature=1:3:1"));
        sweep.target.layer = model->layer(unit.layer).path;
        sweep.target.channels = {unit.channel};
        const ReceptiveField field = estimateReceptiveField(*model, sweep.target.layer);
        Json tuning = Json::object();
        tuning["unit"] = unit.toString();
        tuning["before"] = tuningJson(runSweep(*model, sweep, field, progress));
        tuning["after"] = tuningJson(runSweep(*edited, sweep, field, progress));
        out["tuning"] = tuning;
    }
    endProgressLine(quiet);
    if (args.has("save")) {
        saveEditedModel(*edited, edits, model->hash(), args.value("save"));
        out["saved"] = args.value("save");
    }
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
