// loupe-cli: the Loupe engine for scripts and servers, no display needed.

#include "app/cli/cli_args.h"
#include "app/cli/commands.h"
#include "app/cli/parallel_job.h"
#include "core/attribution_methods.h"
#include "core/device.h"
#include "core/error.h"

#include <algorithm>
#include <cstring>
#include <iostream>

namespace loupe::cli {

const std::vector<Command>& commands()
{
    static const std::vector<Command> list = {
        {"info", "model hash, device, input size and layers with shapes (JSON)", runInfo},
        {"activations", "per-channel mean/max of a layer for an image (JSON), optional grid image",
            runActivations},
        {"train-demo", "train the built-in shapes CNN offline (--out DIR, --seed, --steps)",
            runTrainDemo},
        {"featurevis",
            "feature visualization of a unit/objective (--unit L:C | --objective ...), or --layer "
            "L --all",
            runFeatureVis},
        {"scan",
            "index an image folder: top/bottom examples, histograms per unit (--images DIR "
            "--layers L1,L2); under mpirun/srun every rank scans a shard, or --shard I/N",
            runScan},
        {"merge", "merge shard files of a sharded scan into one workspace (SHARD... --workspace W)",
            runMerge},
        {"stats",
            "a unit's statistics from a scan (JSON): histogram, fraction active, mean, std, top-k",
            runStats},
        {"examples",
            "a unit's top (or --bottom) dataset examples, optional grid of receptive-field crops",
            runExamples},
        {"dictionary",
            "semantic dictionary: the channels active at --at X,Y [--box W,H] of an image (JSON, "
            "--out figure)",
            runDictionary},
        {"nmf",
            "NMF factors of a layer's activations over --image I[,I2...] (--k 6, --out overlay)",
            runNmf},
        {"activation-grid",
            "each cell of a layer's grid drawn as the feature vis of its activation vector (--out)",
            runActivationGrid},
        {"attribute",
            "attribution map: --method " + attributionMethodNames() +
                " --target class:N|prob:N|unit:L:C[@x,y]|layer:L|concept:L:N (--metrics, --heavy, "
                "--sanity)",
            runAttribute},
        {"circuit",
            "a conv unit's pre-activation split into activation x weight per input channel (--unit "
            "L:C@x,y)",
            runCircuit},
        {"tune",
            "tuning curves: stimulus sweep (--sweep orientation=0:360:5,curvature=0:4:0.25), "
            "--radial, --rotate, --invariance, --rank K --layer L",
            runTune},
        {"atlas",
            "activation atlas of a layer over --images DIR (--grid 40, --samples-per-image 8, "
            "--out, --csv)",
            runAtlas},
        {"sheet",
            "a family of units as one figure: feature vis + top dataset examples per unit (--units "
            "L:c1,c2 | NAME, --out)",
            runSheet},
        {"invert",
            "feature inversion: an image whose code at each of --layers L1,L2 matches --image "
            "(--steps 256, --tv 0.02, --out strip.png)",
            runInvert},
        {"dream",
            "DeepDream on --image: amplify --objective (layer:L, L:C, ...) over --octaves 4 from "
            "the photo (--out photo|dream strip)",
            runDream},
        {"style",
            "style transfer: --content A --style B (--content-layer, --style-layers, --steps 300, "
            "--out content|style|result)",
            runStyle},
        {"adversarial",
            "FGSM/PGD on --image (--method pgd --epsilon 8 --steps 10 --target N, --min-epsilon, "
            "--transfer M2) or --fooling CLASS",
            runAdversarial},
        {"shape-bias",
            "texture vs shape: cue-conflict pairs of --images DIR made by style transfer, the "
            "model's shape bias (--pairs 10, --out DIR)",
            runShapeBias},
        {"degrade",
            "top-1/top-5 accuracy of --images DIR under greyscale, edges, silhouette (--masks), "
            "texture patches",
            runDegrade},
        {"sanity",
            "how far to trust attribution methods over --images DIR: deletion/insertion AUC and "
            "the randomisation checks (--methods, --count 50, --out DIR: CSV + figure)",
            runSanity},
        {"concepts",
            "learned concept dictionaries: concepts collect (--images DIR --layer L [--store S]) | "
            "train (--model M --layer L: into its workspace, as the Concepts dock; or --store S "
            "--out D) | info (--model M: top-1 agreement with the layer replaced) | top "
            "(--concept N)",
            runConcepts},
        {"dissect",
            "network dissection of --layers L1,L2 over --images DIR: colour concepts, --labels DIR "
            "--concepts CSV, or --synthetic DIR (rendered once); best concept and IoU per unit, "
            "unique detectors per category (--out DIR: CSV + figure)",
            runDissect},
        {"lime",
            "LIME on --image: superpixel weights for --target (or --class NAME|N; --samples 1000, "
            "--superpixels 50, --fill mean, --out overlay.png)",
            runLime},
        {"explain",
            "which channels of --layer L made the decision for --class NAME|N (--versus NAME|N: "
            "why this class and not that one)",
            runExplain},
        {"curves",
            "a family's curve map of --image beside Canny's edges (--family L:c1,c2|NAME, --method "
            "guided|input-x-gradient, --orientation-colour, --canny LOW,HIGH, --out), or "
            "--benchmark: P/R/F1 of curve pixels on synthetic scenes, and combing",
            runCurves},
        {"trace",
            "B-spline strokes fitted to a family's curve map of --image (--strokes 3, "
            "--penalty TARGET, --out, --svg, --json)",
            runTrace},
        {"ablate",
            "circuit edits (--zero FAMILY | --mean FAMILY | --cut L:C<-I | --edits FILE) and what "
            "they break: --image top-5 (--occlusion OUT), --images DIR accuracy (--random-control "
            "3), --unit L:C tuning; --save edited.pt",
            runAblate},
        {"timeline",
            "one unit across --checkpoints DIR (--unit L:C, --images DIR for top examples): "
            "feature vis, filter, examples, tuning per checkpoint (--out strip.png, --csv)",
            runTimeline},
        {"bench",
            "benchmarks: bench "
            "featurevis|scan|dictionary|occlusion|ig|attribution|tune|atlas|load|pgd|style|degrade|"
            "dissect|lime "
            "--model M ...",
            runBench},
    };
    return list;
}

}  // namespace loupe::cli

namespace {

void printUsage()
{
    size_t width = 0;
    for (const auto& c : loupe::cli::commands())
        width = std::max(width, std::strlen(c.name));
    std::cout << "usage: loupe-cli <command> [options]\n\ncommands:\n";
    for (const auto& c : loupe::cli::commands())
        std::cout << "  " << c.name << std::string(width + 2 - std::strlen(c.name), ' ')
                  << c.summary << "\n";
    std::cout << "\ncommon options: --model FILE  --device auto|cpu|cuda\n";
#ifdef LOUPE_WITH_MPI
    std::cout << "sharded scans: MPI (mpirun/srun: every rank scans a shard), --shard I/N, merge\n";
#else
    std::cout << "sharded scans: --shard I/N and merge (this build has no MPI)\n";
#endif
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
        std::strcmp(argv[1], "help") == 0) {
        printUsage();
        return argc < 2 ? 2 : 0;
    }
    for (const auto& command : loupe::cli::commands()) {
        if (command.name != std::string(argv[1]))
            continue;
        try {
            // Under mpirun the ranks on one machine share its cores.
            loupe::configureTorchThreads(loupe::cli::ParallelJob::instance().threadsPerRank());
            return command.run(loupe::cli::Args(argc, argv, 2));
        } catch (const loupe::cli::HelpRequested& help) {
            std::cout << "usage: loupe-cli " << command.name << " [options]\n  " << command.summary
                      << "\n\noptions:";
            for (const auto& option : help.options)
                std::cout << " --" << option;
            std::cout << "\n";
            return 0;
        } catch (const loupe::Error& e) {
            std::cerr << "loupe-cli " << command.name << ": " << e.what() << "\n";
            return 1;
        } catch (const std::exception& e) {
            std::cerr << "loupe-cli " << command.name << ": " << loupe::firstLine(e.what()) << "\n";
            return 1;
        }
    }
    std::cerr << "loupe-cli: unknown command '" << argv[1] << "' (see loupe-cli --help)\n";
    return 2;
}
