#pragma once

#include "core/dataset_scan.h"
#include "core/json.h"

#include <optional>
#include <string>
#include <vector>

namespace loupe {

class Workspace;

// A dataset scan split over many processes or machines (MPI ranks, a Slurm array, hand-run
// jobs): each shard scans its part of the folder into a shard file of its own (a workspace
// file holding an ordinary scan of those images plus a ShardRecord), and the shard files merge
// exactly into one scan (core/unit_statistics.h says why every statistic merges).

// The images of a sorted folder listing that shard `shard` of `shards` scans: round-robin, so
// that every shard gets a similar mix of the folder's subfolders and the split depends on the
// listing and the shard count alone (the same on every rank and in every re-run).
std::vector<std::string> shardImages(
    const std::vector<std::string>& listing, int shard, int shards);

// Identifies a folder's listing (SHA-256 of the sorted relative names), so that shards of
// different folders, or of a folder that changed between runs, are never merged.
std::string listingDigest(const std::vector<std::string>& listing);

// What a shard file says about itself (kind "scan-shard" in its workspace).
struct ShardRecord {
    std::string folder;  // as the shard saw it; merged scans take the first shard's
    std::string listingDigest;
    int imagesInListing = 0;
    std::vector<std::string> layers;
    int shard = 0;
    int shards = 1;
    std::string host;
    std::string updated;  // UTC, ISO 8601
};
void writeShardRecord(Workspace& shardFile, const ShardRecord& record);
ShardRecord readShardRecord(const Workspace& shardFile);  // throws loupe::Error if none

// "shard-0003-of-0016.sqlite": sorts by shard count, then shard.
std::string shardFileName(int shard, int shards);
// The shard files in a directory (by name, sorted); none: empty.
std::vector<std::string> shardFilesIn(const std::string& directory);
// The images already scanned in the given shard files (read-only), for a re-run with another
// shard count: they are not scanned again.
std::vector<std::string> imagesScannedIn(const std::vector<std::string>& shardFiles);

// How a merged scan came to be (kind "scan", next to the scan itself): the app shows it.
struct ScanProvenance {
    std::string folder;
    int images = 0;
    int shards = 0;  // shard files merged (0: scanned in one process)
    std::vector<int> shardCounts;  // the distinct shard counts of the runs merged
    std::string modelHash;
    std::string merged;  // UTC, ISO 8601
    std::vector<std::string> hosts;
};
std::optional<ScanProvenance> readScanProvenance(
    const Workspace& workspace, const std::string& folder);
// As stored in the workspace, and as loupe-cli prints it after a merge.
Json scanProvenanceJson(const ScanProvenance& provenance);

struct MergeSummary {
    ScanProvenance provenance;
    int imagesInListing = 0;  // the folder's listing as the shards saw it
    // Listed images neither scanned nor skipped by any shard given: a shard file missing from
    // the merge (a failed array task, a node's folder not shared) leaves the scan partial.
    int missingImages = 0;
    std::vector<std::string> layers;
    std::vector<SkippedImage> skipped;  // reasons say which shard met them
};

// Merges shard files into `target` as one scan of the folder (replacing an earlier scan of it
// there). The result does not depend on the order of `shardFiles`: shards are merged in the
// order of their first image, and image ids are renumbered to the sorted image list, which is
// what a single-process scan of the folder produces. Refuses, with a message naming the file:
// a shard of another model (its workspace hash), of other layers, of another folder listing,
// and two shards that scanned the same image.
MergeSummary mergeScanShards(const std::vector<std::string>& shardFiles, Workspace& target);

}  // namespace loupe
