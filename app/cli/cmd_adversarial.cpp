#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "app/cli/experiment_output.h"
#include "core/classify.h"
#include "core/image_experiment_store.h"
#include "core/image_io.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {
namespace {

Json attackJson(const Attack& attack)
{
    Json j = Json::object();
    j["source_class"] = attack.sourceClass;
    j["target_class"] = attack.targetClass;
    j["succeeded"] = attack.succeeded;
    j["linf_pixels"] = attack.linfPixels;
    j["before"] = predictionsJson(attack.before);
    j["after"] = predictionsJson(attack.after);
    j["loss_history"] = floatsJson(attack.lossHistory);
    return j;
}

}  // namespace

int runAdversarial(const Args& args)
{
    args.allowOnly({"model", "device", "image", "method", "epsilon", "step", "steps",
        "no-random-start", "target", "seed", "min-epsilon", "max-epsilon", "transfer", "fooling",
        "confidence", "out", "workspace", "no-cache", "quiet"});
    const auto model = loadModel(args);
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    Json out = Json::object();
    if (args.has("fooling")) {
        // From noise: no photo.
        const int klass = args.intValue("fooling", 0, 0);
        const FoolingImage fooled = makeFoolingImage(*model, klass,
            float(args.doubleValue("confidence", 0.99)), args.positiveInt("steps", 500),
            std::uint64_t(args.intValue("seed", 0, 0)), progress);
        endProgressLine(quiet);
        out["fooling_class"] = klass;
        out["label"] = model->classLabel(klass);
        out["probability"] = fooled.probability;
        out["steps"] = fooled.steps;
        if (args.has("out")) {
            saveImage(fooled.image, args.required("out"));
            out["out"] = args.value("out");
        }
        std::cout << out.dump(2) << std::endl;
        return 0;
    }

    const RgbImage photo = loadImage(args.required("image"));
    AttackConfig config;
    config.method = attackMethodFromName(args.value("method", "pgd"));
    config.epsilon = float(args.doubleValue("epsilon", config.epsilon));
    config.stepSize = float(args.doubleValue("step", config.stepSize));
    config.steps = args.positiveInt("steps", config.steps);
    config.randomStart = !args.has("no-random-start");
    config.targetClass = args.intValue("target", -1, -1);
    config.seed = std::uint64_t(args.intValue("seed", 0, 0));
    auto workspace = cacheWorkspaceForModel(args, *model);
    Attack attack;
    if (args.has("min-epsilon")) {
        const EpsilonSearch search = smallestFlippingEpsilon(
            *model, photo, config, float(args.doubleValue("max-epsilon", 32)), progress);
        attack = search.attack;
        out["min_epsilon"] = search.epsilon;
        Json tried = Json::array();
        for (const auto& [epsilon, succeeded] : search.tried) {
            Json t = Json::object();
            t["epsilon"] = epsilon;
            t["succeeded"] = succeeded;
            tried.push(t);
        }
        out["tried"] = tried;
    } else {
        bool fromCache = false;
        attack = cachedAttack(*model, workspace.get(), photo, config, progress, &fromCache);
        out["from_cache"] = fromCache;
    }
    endProgressLine(quiet);
    out["method"] = attackMethodName(config.method);
    out["epsilon"] = config.epsilon;
    out["attack"] = attackJson(attack);
    if (args.has("transfer")) {
        // The same 8-bit adversarial image through a second model.
        const auto second = Model::load(
            args.required("transfer"), devicePreferenceFromString(args.value("device")));
        Progress quietProgress;
        Json t = Json::object();
        t["model"] = second->displayName();
        t["before"] =
            predictionsJson(classifyImages(*second, {attack.original}, 5, quietProgress)[0]);
        t["after"] =
            predictionsJson(classifyImages(*second, {attack.adversarial}, 5, quietProgress)[0]);
        out["transfer"] = t;
    }
    if (args.has("out")) {
        // original | adversarial | perturbation (amplified to the 8-bit range)
        saveStrip({attack.original, attack.adversarial, attack.perturbation}, args.required("out"));
        out["out"] = args.value("out");
    }
    std::cout << out.dump(2) << std::endl;
    warnAboutCache(workspace.get());
    return 0;
}

}  // namespace loupe::cli
