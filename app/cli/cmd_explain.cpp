// loupe-cli explain: which channels of a layer made the decision for a class (or for one class
// against another), by activation x gradient, with the bias path and whether the sum is exact.
#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/class_names.h"
#include "core/classify.h"
#include "core/decision.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"

#include <iostream>

namespace loupe::cli {

int runExplain(const Args& args)
{
    args.allowOnly({"model", "device", "image", "layer", "class", "versus", "top"});
    const auto model = loadModel(args);
    const RgbImage image = loadImage(args.required("image"));
    Progress none;
    const int a = args.has("class") ? resolveClass(*model, args.value("class"))
                                    : classifyImages(*model, {image}, 1, none).at(0).at(0).index;
    const int b = args.has("versus") ? resolveClass(*model, args.value("versus")) : -1;
    const DecisionExplanation e = explainDecision(*model, image, args.required("layer"), a, b);
    Json out = Json::object();
    out["layer"] = e.layer;
    out["class"] = e.labelA + " (" + std::to_string(e.classA) + ")";
    if (b >= 0)
        out["versus"] = e.labelB + " (" + std::to_string(e.classB) + ")";
    out["logit"] = e.logit;
    out["bias_path"] = e.biasPath;
    out["explained"] = e.explained;
    out["linear_path"] = e.linearPath;
    Json channels = Json::array();
    const int top = args.intValue("top", 10, 1);
    const auto add = [&](const ChannelContribution& c) {
        Json j = Json::object();
        j["channel"] = c.channel;
        j["contribution"] = c.contribution;
        j["share"] = c.share;
        j["mean_activation"] = c.activation;
        channels.push(j);
    };
    for (int i = 0; i < top && i < int(e.channels.size()); ++i)
        add(e.channels[size_t(i)]);
    out["for"] = channels;
    channels = Json::array();
    for (int i = 0; i < top && i < int(e.channels.size()); ++i)
        add(e.channels[e.channels.size() - 1 - size_t(i)]);
    out["against"] = channels;
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
