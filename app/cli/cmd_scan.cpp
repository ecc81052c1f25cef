// loupe-cli scan: a dataset scan in one process, as one shard of a bigger job (--shard I/N, e.g.
// a Slurm array task), or as every rank of an MPI job (mpirun / srun), whose rank 0 merges the
// ranks' shard files into the workspace. loupe-cli merge: shard files made anywhere → one scan.
#include "app/cli/cli_workspace.h"
#include "app/cli/commands.h"
#include "app/cli/parallel_job.h"
#include "core/dataset_scan.h"
#include "core/error.h"
#include "core/json.h"
#include "core/model.h"
#include "core/scan_shards.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace loupe::cli {
namespace {

namespace fs = std::filesystem;

Json skippedJson(const std::vector<SkippedImage>& skipped)
{
    Json out = Json::array();
    for (const auto& s : skipped) {
        Json j = Json::object();
        j["path"] = s.path;
        j["reason"] = s.reason;
        out.push(j);
    }
    return out;
}

// What a scan run did, in a one-process scan's output and a shard's alike.
void addSummary(Json& out, const ScanSummary& summary)
{
    out["scanned_now"] = summary.scannedNow;
    out["already_scanned"] = summary.alreadyScanned;
    out["seconds"] = summary.seconds;
    out["images_per_second"] = summary.imagesPerSecond;
    out["skipped"] = skippedJson(summary.skipped);
}

ScanConfig scanConfig(const Args& args)
{
    ScanConfig config;
    config.folder = args.required("images");
    config.layers = splitList(args.required("layers"));
    config.topK = args.positiveInt("k", config.topK);
    config.batchSize = args.positiveInt("batch", config.batchSize);
    config.decodeThreads = args.intValue("threads", 0);
    const int checkpoint = args.positiveInt("checkpoint-every", 256);
    config.saveEveryBatches = std::max(1, checkpoint / config.batchSize);
    return config;
}

// "3/16" -> {3, 16}.
std::pair<int, int> parseShard(const std::string& text)
{
    const auto slash = text.find('/');
    try {
        if (slash != std::string::npos) {
            const int shard = std::stoi(text.substr(0, slash));
            const int shards = std::stoi(text.substr(slash + 1));
            if (shards >= 1 && shard >= 0 && shard < shards)
                return {shard, shards};
        }
    } catch (const std::exception&) {
    }
    throw Error("--shard takes INDEX/COUNT with 0 <= INDEX < COUNT, e.g. 0/4 (got '" + text + "')");
}

std::string targetWorkspaceFile(const Args& args, const Model& model)
{
    return args.has("workspace")
        ? args.value("workspace")
        : Workspace::fileForModel(Workspace::defaultDataDirectory(), model.hash());
}

std::string etaText(double done, double todo, double seconds)
{
    const double rate = done / std::max(1e-6, seconds);
    std::ostringstream text;
    text << int64_t(done) << "/" << int64_t(todo) << " images, " << int(rate) << " images/s, ETA "
         << int(std::max(0.0, todo - done) / std::max(rate, 1e-6)) << " s";
    return text.str();
}

Json mergeJson(const MergeSummary& m, const std::string& workspace)
{
    Json out = scanProvenanceJson(m.provenance);
    out["workspace"] = workspace;
    out["skipped"] = skippedJson(m.skipped);
    out["images_in_listing"] = m.imagesInListing;
    out["missing_images"] = m.missingImages;
    if (m.missingImages > 0)
        std::cerr << "loupe-cli: warning: the merged scan lacks " << m.missingImages << " of "
                  << m.imagesInListing
                  << " listed images: a shard file is missing (a failed task, or shard files on "
                     "a folder rank 0 does not see); scan again to complete it\n";
    return out;
}

// One shard of a bigger job into its shard file; with MPI every rank runs this, and rank 0
// then merges.
int runShardedScan(const Args& args, int shard, int shards, ParallelJob& job)
{
    const auto model = loadModel(args);
    const std::string target = targetWorkspaceFile(args, *model);
    const std::string directory = args.value("shards-dir", target + ".shards");
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec)
        throw Error("cannot create the shard folder '" + directory + "': " + ec.message());
    // Shard files of earlier runs with another shard count: their images are not scanned again.
    const std::string ownSuffix = shardFileName(0, shards).substr(10);  // "-of-NNNN.sqlite"
    std::vector<std::string> earlier;
    for (const auto& file : shardFilesIn(directory))
        if (file.size() < ownSuffix.size() ||
            file.compare(file.size() - ownSuffix.size(), ownSuffix.size(), ownSuffix) != 0)
            earlier.push_back(file);
    ScanConfig config = scanConfig(args);
    config.shard = shard;
    config.shards = shards;
    // Rank 0 reads the earlier files for every rank: a file left by a killed rank needs its
    // journal recovered on first open, which several processes at once would contend for.
    std::string joined;
    if (job.rank() == 0)
        for (const auto& image : imagesScannedIn(earlier))
            joined += image + '\n';
    joined = job.broadcastFromFirst(joined);
    for (size_t begin = 0, end; (end = joined.find('\n', begin)) != std::string::npos;
         begin = end + 1)
        config.skipImages.push_back(joined.substr(begin, end - begin));
    const std::string file = (fs::path(directory) / shardFileName(shard, shards)).string();
    auto workspace = Workspace::open(file, model->hash());

    const bool quiet = args.has("quiet");
    const auto started = std::chrono::steady_clock::now();
    const auto seconds = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    // In an MPI job rank 0 shows the whole job's progress, the other ranks stay silent.
    const bool wholeJob = job.parallel();
    config.batchDone = [&](int done, int todo) {
        job.report(done, todo);
        if (wholeJob && job.rank() == 0 && !quiet) {
            const auto t = job.collect();
            std::cerr << "\r  all " << job.size()
                      << " ranks: " << etaText(double(t.done), double(t.todo), seconds())
                      << "      " << std::flush;
        }
    };
    Progress progress(stderrProgress(quiet || wholeJob));
    const ScanSummary summary = scanFolder(*model, *workspace, config, progress);
    // Closed before the ranks meet: the last connection's journal checkpoint must not race
    // rank 0's merge reading the file.
    workspace.reset();
    if (!wholeJob) {
        endProgressLine(quiet);
        Json out = Json::object();
        out["shard"] = shard;
        out["shards"] = shards;
        out["shard_file"] = file;
        out["images_in_shard"] = summary.imagesInFolder;
        out["skipped_as_scanned_by_earlier_runs"] = int(config.skipImages.size());
        addSummary(out, summary);
        std::cout << out.dump(2) << std::endl;
        return 0;
    }
    job.finishAndWait([&](const ParallelJob::Totals& t) {
        if (!quiet)
            std::cerr << "\r  all " << job.size()
                      << " ranks: " << etaText(double(t.done), double(t.todo), seconds())
                      << "      " << std::flush;
    });
    if (job.rank() != 0)
        return 0;
    if (!quiet)
        std::cerr << "\n  merging " << shardFilesIn(directory).size() << " shard files\n";
    auto merged = Workspace::open(target, model->hash());
    const MergeSummary m = mergeScanShards(shardFilesIn(directory), *merged);
    Json out = mergeJson(m, merged->file());
    out["ranks"] = job.size();
    out["seconds"] = seconds();
    const auto t = job.collect();
    out["scanned_now"] = t.done;
    out["images_per_second"] = double(t.done) / std::max(1e-6, seconds());
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace

int runScan(const Args& args)
{
    args.allowOnly({"model", "device", "images", "layers", "workspace", "k", "batch", "threads",
        "quiet", "shard", "shards-dir", "checkpoint-every"});
    auto& job = ParallelJob::instance();
    if (args.has("shard")) {
        if (job.parallel())
            throw Error("--shard is for jobs without MPI (e.g. a Slurm array); under mpirun the "
                        "ranks are the shards");
        const auto [shard, shards] = parseShard(args.value("shard"));
        return runShardedScan(args, shard, shards, job);
    }
    if (job.parallel()) {
        try {
            return runShardedScan(args, job.rank(), job.size(), job);
        } catch (const std::exception& e) {
            job.abort(e.what());  // the other ranks must not wait for this one
        }
    }

    const auto model = loadModel(args);
    auto workspace = workspaceForModel(args, *model);
    const ScanConfig config = scanConfig(args);
    const bool quiet = args.has("quiet");
    Progress progress(stderrProgress(quiet));
    const ScanSummary summary = scanFolder(*model, *workspace, config, progress);
    endProgressLine(quiet);
    Json out = Json::object();
    out["workspace"] = workspace->file();
    out["folder"] = config.folder;
    out["images_in_folder"] = summary.imagesInFolder;
    addSummary(out, summary);
    std::cout << out.dump(2) << std::endl;
    return 0;
}

int runMerge(const Args& args)
{
    args.allowOnly({"model", "device", "workspace", "shards-dir"});
    std::vector<std::string> files = args.positional();
    if (args.has("shards-dir"))
        for (const auto& f : shardFilesIn(args.value("shards-dir")))
            files.push_back(f);
    if (files.empty())
        throw Error("give the shard files to merge (loupe-cli merge SHARD... --workspace W), or "
                    "--shards-dir DIR");
    for (const auto& file : files) {
        std::error_code ec;
        if (!fs::is_regular_file(file, ec))
            throw Error("shard file '" + file + "' does not exist");
    }
    std::unique_ptr<Workspace> target;
    if (args.has("model")) {
        target = workspaceForModel(args, *loadModel(args));
    } else {
        if (!args.has("workspace"))
            throw Error("give --workspace W (or --model M for the model's own workspace)");
        // The target belongs to the shards' model: a new file takes the first shard's hash.
        const std::string hash = Workspace::openExisting(files.front())->modelHash();
        target = Workspace::open(args.value("workspace"), hash);
    }
    const MergeSummary m = mergeScanShards(files, *target);
    std::cout << mergeJson(m, target->file()).dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
