#pragma once

#include "app/cli/cli_args.h"

#include <string>
#include <vector>

namespace loupe::cli {

// A subcommand: one file each (cmd_<name>.cpp). Returns the process exit code; throws
// loupe::Error for bad input, which main turns into a one-line message and exit code 1.
struct Command {
    const char* name;
    std::string summary;
    int (*run)(const Args& args);
};

const std::vector<Command>& commands();

int runInfo(const Args& args);
int runActivations(const Args& args);
int runTrainDemo(const Args& args);
int runFeatureVis(const Args& args);
int runBench(const Args& args);
int runScan(const Args& args);
int runMerge(const Args& args);
int benchScanRanks(const Args& args);  // bench scan --ranks 1,2
int runStats(const Args& args);
int runExamples(const Args& args);
int runDictionary(const Args& args);
int runNmf(const Args& args);
int runActivationGrid(const Args& args);
int runAttribute(const Args& args);
int runCircuit(const Args& args);
int runTune(const Args& args);
int benchTune(const Args& args);  // cmd_bench_tune.cpp
int runAtlas(const Args& args);
int runSheet(const Args& args);
int runInvert(const Args& args);
int runDream(const Args& args);
int runStyle(const Args& args);
int runAdversarial(const Args& args);
int runShapeBias(const Args& args);
int runDegrade(const Args& args);
int runSanity(const Args& args);
int runConcepts(const Args& args);
int runDissect(const Args& args);
int runLime(const Args& args);
int runExplain(const Args& args);
int runCurves(const Args& args);
int runTrace(const Args& args);
int runAblate(const Args& args);
int runTimeline(const Args& args);
int benchAtlas(const Args& args);  // cmd_atlas.cpp
int benchPgd(const Args& args);  // cmd_bench_experiments.cpp
int benchLoad(const Args& args);  // cmd_bench_load.cpp
int benchStyle(const Args& args);
int benchDegrade(const Args& args);
int benchDissect(const Args& args);  // cmd_bench_dissect.cpp
int benchLime(const Args& args);

}  // namespace loupe::cli
