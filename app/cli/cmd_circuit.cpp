#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "core/circuit.h"
#include "core/image_io.h"
#include "core/json.h"
#include "core/model.h"
#include "core/unit_id.h"

#include <iostream>

namespace loupe::cli {

int runCircuit(const Args& args)
{
    args.allowOnly({"model", "device", "image", "unit", "k", "from"});
    const auto model = loadModel(args);
    const UnitId unit = UnitId::parse(args.required("unit"));
    const RgbImage image = loadImage(args.required("image"));
    // --from L: gradient x activation from any earlier layer; otherwise the conv's exact split.
    const CircuitResult r = args.has("from")
        ? circuitByGradient(*model, image, unit.layer, unit.channel, unit.x, unit.y,
              args.value("from"), args.positiveInt("k", 8))
        : circuitContributions(
              *model, image, unit.layer, unit.channel, unit.x, unit.y, args.positiveInt("k", 8));
    Json out = Json::object();
    out["conv"] = r.layer;
    out["method"] = r.exact
        ? "activation x weight (exact)"
        : "gradient x activation from " + r.inputLayer + " (first-order estimate)";
    out["unit"] = r.layer + ":" + std::to_string(r.channel) + "@" + std::to_string(r.x) + "," +
        std::to_string(r.y);
    out["pre_activation"] = r.preActivation;
    out["captured_output"] = r.check;
    if (r.exact) {
        out["bias"] = r.bias;
        out["stride"] = r.stride;
        out["padding"] = r.padding;
    }
    Json list = Json::array();
    for (const auto& c : r.contributions) {
        Json j = Json::object();
        j["input_channel"] = c.inputChannel;
        j["contribution"] = c.contribution;
        list.push(j);
    }
    out["contributions"] = list;  // activation x weight per input channel, strongest first
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
