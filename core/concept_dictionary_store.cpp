#include "core/concept_dictionary_store.h"

#include "core/error.h"
#include "core/json.h"
#include "core/workspace.h"

#include <algorithm>

namespace loupe {
namespace {

constexpr const char* kDictionaryKind = "concept-dictionary";
constexpr const char* kRecordKind = "concept-dictionary-record";
constexpr const char* kIndexKind = "concept-index";

Json recordJson(const ConceptDictionaryRecord& r)
{
    Json j = Json::object();
    j["layer"] = r.layer;
    j["atoms"] = r.config.atoms;
    j["k"] = r.config.k;
    j["steps"] = r.config.steps;
    j["batch"] = r.config.batch;
    j["learning_rate"] = r.config.learningRate;
    j["seed"] = static_cast<long long>(r.config.seed);
    j["explained_variance"] = r.quality.explainedVariance;
    j["mean_l0"] = r.quality.meanL0;
    j["dead_atoms"] = r.quality.deadAtoms;
    j["dense_atoms"] = r.quality.denseAtoms;
    Json firing = Json::array();
    for (float f : r.quality.firingShare)
        firing.push(f);
    j["firing_share"] = firing;
    if (r.agreement) {
        Json a = Json::object();
        a["images"] = r.agreement->images;
        a["top1"] = r.agreement->topOneAgreement;
        a["mean_ablation_top1"] = r.agreement->meanAblationAgreement;
        a["loss_recovered"] = r.agreement->lossRecovered;
        j["agreement"] = a;
    }
    if (r.stability)
        j["stability"] = *r.stability;
    j["vectors"] = static_cast<long long>(r.vectors);
    j["images"] = r.images;
    j["finished"] = r.finished;
    Json names = Json::object();
    for (size_t i = 0; i < r.names.size(); ++i)
        if (!r.names[i].empty())
            names[std::to_string(i)] = r.names[i];
    j["names"] = names;
    Json history = Json::array();
    for (const auto& s : r.history) {
        Json step = Json::array();
        step.push(s.step);
        step.push(s.loss);
        step.push(s.explainedVariance);
        step.push(s.deadShare);
        history.push(step);
    }
    j["history"] = history;
    return j;
}

ConceptDictionaryRecord recordOf(const Json& j, SparseDictionary dictionary)
{
    ConceptDictionaryRecord r;
    r.layer = j["layer"].toString();
    r.config.atoms = int(j["atoms"].toNumber());
    r.config.k = int(j["k"].toNumber());
    r.config.steps = int(j["steps"].toNumber());
    r.config.batch = int(j["batch"].toNumber(r.config.batch));
    r.config.learningRate = float(j["learning_rate"].toNumber(r.config.learningRate));
    r.config.seed = std::uint64_t(j["seed"].toNumber());
    r.quality.explainedVariance = float(j["explained_variance"].toNumber());
    r.quality.meanL0 = float(j["mean_l0"].toNumber());
    r.quality.deadAtoms = int(j["dead_atoms"].toNumber());
    r.quality.denseAtoms = int(j["dense_atoms"].toNumber());
    for (const auto& f : j["firing_share"].toArray())
        r.quality.firingShare.push_back(float(f.toNumber()));
    if (j.contains("agreement")) {
        const Json& a = j["agreement"];
        r.agreement = ReplacementAgreement{int(a["images"].toNumber()), float(a["top1"].toNumber()),
            float(a["mean_ablation_top1"].toNumber()), float(a["loss_recovered"].toNumber())};
    }
    if (j.contains("stability"))
        r.stability = float(j["stability"].toNumber());
    r.vectors = std::int64_t(j["vectors"].toNumber());
    r.images = int(j["images"].toNumber());
    r.finished = j["finished"].toBool(true);
    r.names.assign(size_t(dictionary.atoms), std::string());
    for (const auto& [index, name] : j["names"].toObject()) {
        const int i = std::stoi(index);
        if (i >= 0 && i < dictionary.atoms)
            r.names[size_t(i)] = name.toString();
    }
    for (const auto& step : j["history"].toArray()) {
        const auto& v = step.toArray();
        if (v.size() == 4)
            r.history.push_back({int(v[0].toNumber()), float(v[1].toNumber()),
                float(v[2].toNumber()), float(v[3].toNumber())});
    }
    if (int(r.quality.firingShare.size()) != dictionary.atoms)
        r.quality.firingShare.assign(size_t(dictionary.atoms), 0.f);
    r.dictionary = std::move(dictionary);
    return r;
}

// Layer paths hold dots only, but a name on disk must never climb out of its folder.
std::string safeFileName(const std::string& layer)
{
    std::string out = layer;
    for (char& c : out)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
            c = '_';
    if (out.empty() || out.front() == '.')
        out = "_" + out;
    return out;
}

}  // namespace

std::string conceptStoreDirectory(const Workspace& workspace, const std::string& layer)
{
    return workspace.file() + ".concepts/" + safeFileName(layer);
}

void saveConceptDictionary(
    Workspace& workspace, const ConceptDictionaryRecord& record, const ConceptIndex* index)
{
    const std::string bytes = serializeSparseDictionary(record.dictionary);
    const std::string json = recordJson(record).dump();
    const std::string indexBytes = index ? serializeConceptIndex(*index) : std::string();
    workspace.transaction([&] {
        workspace.put(kDictionaryKind, record.layer, bytes);
        workspace.put(kRecordKind, record.layer, json);
        if (index)
            workspace.put(kIndexKind, record.layer, indexBytes);
        else
            workspace.remove(kIndexKind, record.layer);
    });
}

std::optional<ConceptIndex> loadConceptIndex(const Workspace& workspace, const std::string& layer)
{
    const auto bytes = workspace.get(kIndexKind, layer);
    if (!bytes)
        return std::nullopt;
    return deserializeConceptIndex(*bytes);
}

void nameConcept(
    Workspace& workspace, const std::string& layer, int concept, const std::string& name)
{
    const auto json = workspace.get(kRecordKind, layer);
    if (!json)
        throw Error("layer '" + layer + "' has no concept dictionary");
    Json record = Json::parse(*json);
    if (concept < 0 || concept >= int(record["atoms"].toNumber()))
        throw Error("concept " + std::to_string(concept) + " is not in the dictionary");
    Json& names = record["names"];
    Json updated = Json::object();
    for (const auto& [index, value] : names.toObject())
        if (index != std::to_string(concept))
            updated[index] = value;
    if (!name.empty())
        updated[std::to_string(concept)] = name;
    names = updated;
    workspace.put(kRecordKind, layer, record.dump());
}

std::optional<ConceptDictionaryRecord> loadConceptDictionary(
    const Workspace& workspace, const std::string& layer)
{
    const auto bytes = workspace.get(kDictionaryKind, layer);
    const auto json = workspace.get(kRecordKind, layer);
    if (!bytes || !json)
        return std::nullopt;
    try {
        return recordOf(Json::parse(*json), deserializeSparseDictionary(*bytes));
    } catch (const Error& e) {
        throw Error(
            "the concept dictionary of '" + layer + "' in the workspace is damaged: " + e.what());
    } catch (const std::exception& e) {
        throw Error("the concept dictionary of '" + layer +
            "' in the workspace is damaged: " + std::string(e.what()));
    }
}

std::vector<std::string> conceptDictionaryLayers(const Workspace& workspace)
{
    return workspace.keys(kRecordKind);
}

void resolveConceptTarget(AttributionTarget& target, const Workspace* workspace)
{
    if (target.kind != AttributionTarget::Kind::Concept || !target.direction.empty())
        return;
    if (!workspace)
        throw Error("a concept target needs the model's workspace, where its dictionary is kept");
    const auto record = loadConceptDictionary(*workspace, target.layer);
    if (!record)
        throw Error("layer '" + target.layer +
            "' has no concept dictionary (train one in the "
            "Concepts dock or with loupe-cli concepts)");
    if (target.index >= record->dictionary.atoms)
        throw Error("concept " + std::to_string(target.index) + " is not in the dictionary of '" +
            target.layer + "' (" + std::to_string(record->dictionary.atoms) + " concepts)");
    const int dims = record->dictionary.dimensions;
    const auto begin = record->dictionary.decoder.begin() + std::ptrdiff_t(target.index) * dims;
    target.direction.assign(begin, begin + dims);
}

std::string conceptId(const std::string& layer, int concept)
{
    return "concept:" + layer + ":" + std::to_string(concept);
}

std::string conceptLabel(const ConceptDictionaryRecord& record, int concept)
{
    if (concept >= 0 && concept < int(record.names.size()) &&
        !record.names[size_t(concept)].empty())
        return record.names[size_t(concept)];
    return conceptId(record.layer, concept);
}

}  // namespace loupe
