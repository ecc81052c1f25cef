#include "core/scan_shards.h"

#include "core/content_hash.h"
#include "core/error.h"
#include "core/json.h"
#include "core/workspace.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <unistd.h>
#include <unordered_map>

namespace loupe {
namespace {

namespace fs = std::filesystem;
constexpr const char* kShardKind = "scan-shard";
constexpr const char* kScanKind = "scan";  // as core/torch/dataset_scan.cpp

std::string provenanceKey(const std::string& folder)
{
    return folder + "|provenance";
}

Json stringsJson(const std::vector<std::string>& strings)
{
    Json out = Json::array();
    for (const auto& s : strings)
        out.push(s);
    return out;
}

std::vector<std::string> jsonStrings(const Json& array)
{
    std::vector<std::string> out;
    for (const auto& s : array.toArray())
        out.push_back(s.toString());
    return out;
}

std::string utcNow()
{
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return stamp;
}

std::string hostName()
{
    char name[256] = {};
    return gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string("?");
}

std::string shardLabel(const ShardRecord& r)
{
    return "shard " + std::to_string(r.shard) + "/" + std::to_string(r.shards) +
        (r.host.empty() ? std::string() : " on " + r.host);
}

void remap(std::vector<Example>& examples, const std::vector<std::int32_t>& ids)
{
    for (auto& e : examples)
        if (e.image >= 0 && size_t(e.image) < ids.size())
            e.image = ids[size_t(e.image)];
}

}  // namespace

std::vector<std::string> shardImages(const std::vector<std::string>& listing, int shard, int shards)
{
    if (shards < 1 || shard < 0 || shard >= shards)
        throw Error("shard " + std::to_string(shard) + " of " + std::to_string(shards) +
            " does not exist (shards are numbered 0 to count - 1)");
    std::vector<std::string> out;
    for (size_t i = size_t(shard); i < listing.size(); i += size_t(shards))
        out.push_back(listing[i]);
    return out;
}

std::string listingDigest(const std::vector<std::string>& listing)
{
    std::string joined;
    for (const auto& name : listing) {
        joined += name;
        joined += '\n';
    }
    return sha256OfBytes(joined);
}

void writeShardRecord(Workspace& shardFile, const ShardRecord& r)
{
    Json j = Json::object();
    j["folder"] = r.folder;
    j["listing_digest"] = r.listingDigest;
    j["images_in_listing"] = r.imagesInListing;
    j["layers"] = stringsJson(r.layers);
    j["shard"] = r.shard;
    j["shards"] = r.shards;
    j["host"] = r.host.empty() ? hostName() : r.host;
    j["updated"] = r.updated.empty() ? utcNow() : r.updated;
    shardFile.put(kShardKind, "record", j.dump());
}

ShardRecord readShardRecord(const Workspace& shardFile)
{
    const auto stored = shardFile.get(kShardKind, "record");
    if (!stored)
        throw Error("'" + shardFile.file() +
            "' is not a shard file (no shard record: it was not written by a sharded scan)");
    try {
        const Json j = Json::parse(*stored);
        ShardRecord r;
        r.folder = j["folder"].toString();
        r.listingDigest = j["listing_digest"].toString();
        r.imagesInListing = int(j["images_in_listing"].toNumber());
        r.layers = jsonStrings(j["layers"]);
        r.shard = int(j["shard"].toNumber());
        r.shards = int(j["shards"].toNumber());
        r.host = j["host"].toString();
        r.updated = j["updated"].toString();
        return r;
    } catch (const Error& e) {
        throw Error("the shard record of '" + shardFile.file() + "' is damaged (" +
            firstLine(e.what()) + ")");
    }
}

std::string shardFileName(int shard, int shards)
{
    char name[64];
    std::snprintf(name, sizeof name, "shard-%04d-of-%04d.sqlite", shard, shards);
    return name;
}

std::vector<std::string> shardFilesIn(const std::string& directory)
{
    std::vector<std::string> out;
    std::error_code ec;
    if (!fs::is_directory(directory, ec))
        return out;
    for (const auto& entry : fs::directory_iterator(directory, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name.rfind("shard-", 0) == 0 &&
            entry.path().extension() == ".sqlite")
            out.push_back(entry.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> imagesScannedIn(const std::vector<std::string>& shardFiles)
{
    std::set<std::string> images;
    for (const auto& file : shardFiles) {
        const auto shard = Workspace::openExisting(file);
        try {
            // A layer name no scan has: the image list is read, no layer's statistics.
            for (auto& image : loadScan(*shard, {}, {"-"}).images)
                images.insert(std::move(image));
        } catch (const Error& e) {
            // A shard killed before its first checkpoint has no scan yet: nothing to skip.
            if (std::string(e.what()).find("no dataset scan") == std::string::npos)
                throw;
        }
    }
    return {images.begin(), images.end()};
}

std::optional<ScanProvenance> readScanProvenance(
    const Workspace& workspace, const std::string& folder)
{
    const auto stored = workspace.get(kScanKind, provenanceKey(folder));
    if (!stored)
        return std::nullopt;
    const Json j = Json::parse(*stored);
    ScanProvenance p;
    p.folder = j["folder"].toString();
    p.images = int(j["images"].toNumber());
    p.shards = int(j["shards"].toNumber());
    for (const auto& n : j["shard_counts"].toArray())
        p.shardCounts.push_back(int(n.toNumber()));
    p.modelHash = j["model_hash"].toString();
    p.merged = j["merged"].toString();
    p.hosts = jsonStrings(j["hosts"]);
    return p;
}

Json scanProvenanceJson(const ScanProvenance& p)
{
    Json j = Json::object();
    j["folder"] = p.folder;
    j["images"] = p.images;
    j["shards"] = p.shards;
    j["shard_counts"] = Json(Json::Array(p.shardCounts.begin(), p.shardCounts.end()));
    j["model_hash"] = p.modelHash;
    j["merged"] = p.merged;
    j["hosts"] = stringsJson(p.hosts);
    return j;
}

MergeSummary mergeScanShards(const std::vector<std::string>& shardFiles, Workspace& target)
{
    if (shardFiles.empty())
        throw Error("no shard files to merge");
    struct Shard {
        std::string file;
        ShardRecord record;
        ScanResults scan;
    };
    std::vector<Shard> shards;
    for (const auto& file : shardFiles) {
        std::error_code ec;
        if (!fs::is_regular_file(file, ec))
            throw Error("shard file '" + file + "' does not exist");
        const auto workspace = Workspace::openExisting(file);
        if (workspace->modelHash() != target.modelHash())
            throw Error("'" + file + "' is a shard of another model (hash " +
                workspace->modelHash().substr(0, 12) + ", the workspace's model is " +
                target.modelHash().substr(0, 12) + ")");
        Shard shard{file, readShardRecord(*workspace), {}};
        try {
            shard.scan = loadScan(*workspace);
        } catch (const Error& e) {
            if (std::string(e.what()).find("no dataset scan") == std::string::npos)
                throw;
            continue;  // killed before its first checkpoint: nothing to merge
        }
        shards.push_back(std::move(shard));
    }
    if (shards.empty())
        throw Error("none of the shard files holds a scanned image yet");
    for (const auto& s : shards) {
        const auto& first = shards.front();
        if (s.record.listingDigest != first.record.listingDigest)
            throw Error("'" + s.file + "' scanned another folder listing (" +
                std::to_string(s.record.imagesInListing) + " images in '" + s.record.folder +
                "') than '" + first.file + "' (" + std::to_string(first.record.imagesInListing) +
                " images in '" + first.record.folder +
                "'): shards of one scan must list the "
                "same files");
        if (s.scan.layerOrder != first.scan.layerOrder)
            throw Error("'" + s.file + "' indexed other layers than '" + first.file +
                "': shards of one scan must index the same layers");
    }
    // A canonical order, whatever the order of the arguments: the reservoirs' merge draws
    // depend on it.
    std::sort(shards.begin(), shards.end(), [](const Shard& a, const Shard& b) {
        const std::string& x = a.scan.images.empty() ? a.file : a.scan.images.front();
        const std::string& y = b.scan.images.empty() ? b.file : b.scan.images.front();
        return x < y;
    });

    std::map<std::string, size_t> owner;  // image -> shard; sorted, as a one-process scan lists
    for (size_t i = 0; i < shards.size(); ++i)
        for (const auto& image : shards[i].scan.images) {
            const auto [it, inserted] = owner.emplace(image, i);
            if (!inserted)
                throw Error("'" + image + "' was scanned by two shards ('" +
                    shards[it->second].file + "' and '" + shards[i].file +
                    "'): merging them would count it twice");
        }
    ScanResults merged;
    const Shard& first = shards.front();
    merged.folder = first.scan.folder;
    merged.inputSize = first.scan.inputSize;
    merged.receptiveFields = first.scan.receptiveFields;
    merged.layerOrder = first.scan.layerOrder;
    std::unordered_map<std::string, std::int32_t> idOf;
    for (const auto& [image, shard] : owner) {
        idOf[image] = std::int32_t(merged.images.size());
        merged.images.push_back(image);
    }

    MergeSummary summary;
    std::set<std::string> skippedPaths;
    std::set<int> shardCounts;
    std::set<std::string> hosts;
    for (auto& shard : shards) {
        std::vector<std::int32_t> ids;
        for (const auto& image : shard.scan.images)
            ids.push_back(idOf.at(image));
        for (auto& [layer, channels] : shard.scan.layers) {
            for (auto& c : channels) {
                remap(c.top.items(), ids);
                remap(c.bottom.items(), ids);
                remap(c.reservoir.items(), ids);
            }
            auto it = merged.layers.find(layer);
            if (it == merged.layers.end()) {
                merged.layers.emplace(layer, std::move(channels));
                continue;
            }
            if (it->second.size() != channels.size())
                throw Error("'" + shard.file + "' has " + std::to_string(channels.size()) +
                    " channels in layer '" + layer + "', other shards " +
                    std::to_string(it->second.size()));
            for (size_t c = 0; c < channels.size(); ++c)
                it->second[c].merge(channels[c]);
        }
        for (const auto& s : shard.scan.skipped)
            if (!owner.count(s.path) && skippedPaths.insert(s.path).second)
                merged.skipped.push_back({s.path, shardLabel(shard.record) + ": " + s.reason});
        shardCounts.insert(shard.record.shards);
        hosts.insert(shard.record.host);
    }
    std::sort(merged.skipped.begin(), merged.skipped.end(),
        [](const SkippedImage& a, const SkippedImage& b) { return a.path < b.path; });

    ScanProvenance& p = summary.provenance;
    p.folder = merged.folder;
    p.images = int(merged.images.size());
    p.shards = int(shards.size());
    p.shardCounts.assign(shardCounts.begin(), shardCounts.end());
    p.modelHash = target.modelHash();
    p.merged = utcNow();
    p.hosts.assign(hosts.begin(), hosts.end());
    target.transaction([&] {
        storeScan(target, merged);
        target.put(kScanKind, provenanceKey(merged.folder), scanProvenanceJson(p).dump());
    });
    summary.layers = merged.layerOrder;
    summary.skipped = merged.skipped;
    summary.imagesInListing = first.record.imagesInListing;
    summary.missingImages = std::max(
        0, summary.imagesInListing - int(merged.images.size()) - int(merged.skipped.size()));
    return summary;
}

}  // namespace loupe
