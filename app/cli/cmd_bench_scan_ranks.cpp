// bench scan --ranks 1,2: the same scan as one process using every core and as an MPI job of
// R ranks sharing the cores (each rank its own LibTorch threads), timed from the outside
// (start-up, model load, scan and merge included), so the MPI path's overhead is measured.
#include "app/cli/commands.h"
#include "core/error.h"
#include "core/image_folder.h"
#include "core/json.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace loupe::cli {
namespace {

namespace fs = std::filesystem;

std::string quoted(const std::string& s)
{
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Runs a shell command, returns its standard output; throws with the exit status on failure.
std::string capture(const std::string& command)
{
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe)
        throw Error("cannot run: " + command);
    std::string out;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
        out.append(buffer, n);
    const int status = pclose(pipe);
    if (status != 0)
        throw Error("the scan failed (exit status " + std::to_string(status) + "): " + command);
    return out;
}

}  // namespace

int benchScanRanks(const Args& args)
{
    args.allowOnly({"model", "device", "images", "layers", "ranks", "max-images", "batch"});
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    const ImageFolderListing listing = listImageFolder(args.required("images"));
    const int wanted = args.intValue("max-images", 256, 1);
    const fs::path scratch =
        fs::temp_directory_path() / ("loupe-bench-ranks-" + std::to_string(getpid()));
    const fs::path photos = scratch / "photos";
    fs::create_directories(photos);
    // The first images of the folder, as links: every run reads the same files.
    int images = 0;
    for (const auto& relative : listing.images) {
        if (images >= wanted)
            break;
        const fs::path source = fs::absolute(fs::path(args.value("images")) / relative);
        fs::create_symlink(source,
            photos / (std::to_string(images) + "_" + fs::path(relative).filename().string()));
        ++images;
    }
    std::string common = " scan --model " + quoted(args.required("model")) + " --images " +
        quoted(photos.string()) + " --layers " + quoted(args.required("layers")) + " --quiet";
    if (args.has("device"))
        common += " --device " + quoted(args.value("device"));
    if (args.has("batch"))
        common += " --batch " + quoted(args.value("batch"));

    Json out = Json::object();
    out["images"] = images;
    Json runs = Json::array();
    double single = 0;
    for (const auto& text : splitList(args.value("ranks", "1,2"))) {
        const int ranks = std::stoi(text);
        const std::string workspace = (scratch / ("ranks-" + text + ".sqlite")).string();
        std::string command = quoted(self) + common + " --workspace " + quoted(workspace);
        if (ranks > 1)
            command = "mpirun --oversubscribe" +
                std::string(geteuid() == 0 ? " --allow-run-as-root" : "") + " -np " + text + " " +
                command;
        const auto start = std::chrono::steady_clock::now();
        const Json result = Json::parse(capture(command));
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        Json run = Json::object();
        run["ranks"] = ranks;
        run["wall_s"] = seconds;  // start-up, model load, scan, merge
        run["images_per_s"] = images / seconds;
        run["scan_s"] = result["seconds"].toNumber();
        if (ranks == 1)
            single = seconds;
        else if (single > 0)
            run["throughput_vs_one_process"] = single / seconds;  // target >= 0.9
        runs.push(run);
    }
    out["runs"] = runs;
    std::error_code ec;
    fs::remove_all(scratch, ec);
    std::cout << out.dump(2) << std::endl;
    return 0;
}

}  // namespace loupe::cli
