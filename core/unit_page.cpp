#include "core/unit_page.h"

#include "core/activations.h"
#include "core/circuit.h"
#include "core/error.h"
#include "core/json.h"
#include "core/model.h"
#include "core/model_edits.h"
#include "core/tuning.h"
#include "core/workspace.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace loupe {

namespace {
constexpr const char* kScheme = "loupe://";
constexpr const char* kSweepKind = "tuning";  // where cachedSweep stores sweeps

std::string trimmed(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

bool isHexHash(const std::string& text)
{
    return text.size() >= 8 &&
        std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c); });
}

// Layers a neighbour list is drawn from: the ones a user browses (same depth as the unit's),
// capturable, spatial and with weights (a pool between two blocks repeats its input).
bool isNeighbourLayer(const LayerInfo& info, int depth)
{
    return info.depth == depth && info.addressable && info.isSpatial() && info.parameters > 0;
}
}  // namespace

std::string UnitLink::toString() const
{
    return kScheme + modelHash + "/" + layer + "/" + std::to_string(channel);
}

std::optional<UnitLink> parseUnitLink(const std::string& text)
{
    const std::string link = trimmed(text);
    const std::string scheme = kScheme;
    if (link.compare(0, scheme.size(), scheme) != 0)
        return std::nullopt;
    const std::string rest = link.substr(scheme.size());
    const auto firstSlash = rest.find('/');
    const auto lastSlash = rest.rfind('/');
    if (firstSlash == std::string::npos || lastSlash == firstSlash)
        return std::nullopt;
    UnitLink unit;
    unit.modelHash = rest.substr(0, firstSlash);
    unit.layer = rest.substr(firstSlash + 1, lastSlash - firstSlash - 1);
    const std::string channel = rest.substr(lastSlash + 1);
    if (!isHexHash(unit.modelHash) || unit.layer.empty() || channel.empty() || channel.size() > 9 ||
        !std::all_of(
            channel.begin(), channel.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::nullopt;
    unit.channel = std::stoi(channel);
    return unit;
}

const LayerInfo& checkedUnit(const Model& model, const std::string& layer, int channel)
{
    const LayerInfo& info = model.layer(layer);
    if (channel < 0 || channel >= info.channels())
        throw Error("channel " + std::to_string(channel) + " is out of range for layer '" +
            info.path + "' (" + std::to_string(info.channels()) + " channels)");
    return info;
}

std::vector<UnitPageRender> unitPageRenders(const std::string& layer, int channel, int size)
{
    const auto config = [&](ObjectiveTerm::Kind kind) {
        FeatureVisConfig c;
        ObjectiveTerm term;
        term.kind = kind;
        term.layer = layer;
        term.channel = channel;
        c.objective = {term};
        c.size = size;
        return c;
    };
    std::vector<UnitPageRender> renders;
    renders.push_back({"Channel", config(ObjectiveTerm::Kind::Channel)});
    // One position is often silent on the grey start image: read it before its ReLU so it
    // has a gradient from the first step (as thumbnails do).
    UnitPageRender neuron{"Neuron (centre)", config(ObjectiveTerm::Kind::Neuron)};
    neuron.config.preRelu = true;
    renders.push_back(neuron);
    UnitPageRender negative{"Negative", config(ObjectiveTerm::Kind::Channel)};
    negative.config.negative = true;
    renders.push_back(negative);
    // Lucid's diversity objective: four images pushed apart by their Gram matrices.
    UnitPageRender diversity{"Diversity", config(ObjectiveTerm::Kind::Channel)};
    diversity.config.batch = 4;
    diversity.config.diversity = 1e2f;
    renders.push_back(diversity);
    return renders;
}

AdjacentLayers adjacentLayers(const Model& model, const std::string& layer)
{
    const std::vector<LayerInfo>& layers = model.layers();
    const std::string path = model.layer(layer).path;
    const auto self = std::find_if(
        layers.begin(), layers.end(), [&](const LayerInfo& l) { return l.path == path; });
    AdjacentLayers adjacent;
    if (self == layers.end())
        return adjacent;
    for (auto it = self; it != layers.begin();) {
        --it;
        if (isNeighbourLayer(*it, self->depth)) {
            adjacent.previous = it->path;
            break;
        }
    }
    for (auto it = self + 1; it != layers.end(); ++it) {
        if (isNeighbourLayer(*it, self->depth)) {
            adjacent.next = it->path;
            break;
        }
    }
    return adjacent;
}

UnitNeighbours unitNeighbours(Model& model, const RgbImage& image, const std::string& layer,
    int channel, int x, int y, int k, Progress& progress)
{
    const LayerInfo& info = checkedUnit(model, layer, channel);
    const AdjacentLayers adjacent = adjacentLayers(model, layer);
    UnitNeighbours neighbours;
    progress.checkCancelled();

    if (adjacent.previous.empty()) {
        neighbours.inputsProblem = "no earlier layer with weights";
    } else {
        progress.report(0, "inputs: gradient of the unit");
        try {
            const CircuitResult circuit =
                circuitByGradient(model, image, info.path, channel, x, y, adjacent.previous, k);
            for (const CircuitContribution& c : circuit.contributions)
                neighbours.inputs.push_back({adjacent.previous, c.inputChannel, c.contribution});
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            neighbours.inputsProblem = firstLine(e.what());
        }
    }

    progress.checkCancelled();
    if (adjacent.next.empty()) {
        neighbours.outputsProblem = "no later layer with weights";
        progress.report(1, "neighbours found");
        return neighbours;
    }
    try {
        progress.report(0.25, "outputs: a copy without the unit");
        EditList zero;
        zero.add({ModelEdit::Kind::ZeroUnit, info.path, channel});
        const std::unique_ptr<Model> ablated = applyEdits(model, zero);
        progress.checkCancelled();
        progress.report(0.5, "outputs: " + adjacent.next + " with the unit");
        const LayerActivations before = computeActivations(model, image, adjacent.next, false, 0);
        progress.checkCancelled();
        progress.report(0.75, "outputs: " + adjacent.next + " without it");
        const LayerActivations after = computeActivations(*ablated, image, adjacent.next, false, 0);
        const size_t positions = size_t(before.width) * size_t(before.height);
        std::vector<UnitNeighbour> drops;
        for (int c = 0; c < before.channels; ++c) {
            double lost = 0;
            for (size_t p = 0; p < positions; ++p)
                lost += double(before.values[size_t(c) * positions + p]) -
                    double(after.values[size_t(c) * positions + p]);
            if (lost > 0)
                drops.push_back({adjacent.next, c, float(lost)});
        }
        std::sort(drops.begin(), drops.end(),
            [](const UnitNeighbour& a, const UnitNeighbour& b) { return a.value > b.value; });
        if (int(drops.size()) > k)
            drops.resize(size_t(k));
        neighbours.outputs = std::move(drops);
        if (neighbours.outputs.empty())
            neighbours.outputsProblem =
                "no unit of " + adjacent.next + " loses activation without it";
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        neighbours.outputsProblem = firstLine(e.what());
    }
    progress.report(1, "neighbours found");
    return neighbours;
}

std::optional<UnitOrientationTuning> cachedOrientationTuning(
    const Workspace& workspace, const std::string& layer, int channel)
{
    // The keys are the sweeps' settings (JSON): pick the largest sweep of this layer that
    // measured the channel and swept orientation, then read only that one.
    std::string best;
    size_t bestStimuli = 0;
    for (const std::string& key : workspace.keys(kSweepKind)) {
        try {
            const Json config = Json::parse(key);
            if (!config.isObject() || !config.contains("layer") ||
                config["layer"].toString() != layer)
                continue;
            bool measured = false;
            for (const Json& c : config["channels"].toArray())
                measured = measured || int(c.toNumber()) == channel;
            bool orientation = false;
            size_t stimuli = 1;
            for (const Json& axis : config["axes"].toArray()) {
                orientation = orientation || axis["parameter"].toString() == "orientation";
                stimuli *= axis["values"].toArray().size();
            }
            if (measured && orientation && stimuli > bestStimuli) {
                best = key;
                bestStimuli = stimuli;
            }
        } catch (const std::exception&) {
            continue;  // another record under the same kind
        }
    }
    if (best.empty())
        return std::nullopt;
    const auto data = workspace.get(kSweepKind, best);
    if (!data)
        return std::nullopt;
    const SweepResult sweep = deserializeSweep(*data);
    const RadialTuning radial = selectChannels(radialTuning(sweep), {channel});
    if (radial.responses.empty())
        return std::nullopt;
    UnitOrientationTuning tuning;
    tuning.degrees.assign(radial.orientations.begin(), radial.orientations.end());
    tuning.response = radial.responses.front();
    tuning.stimulus = stimulusKindName(sweep.config.base.kind);
    return tuning;
}

}  // namespace loupe
