#include "core/builtin_model.h"

#include "core/error.h"
#include "core/json.h"
#include "core/synthetic_shapes.h"
#include "core/torch/random.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace loupe {
namespace {

namespace fs = std::filesystem;

// Each module gets its own type name: types with one name clash when saved together.
class ModuleFactory {
public:
    explicit ModuleFactory(std::uint64_t seed) : generator_(seededGenerator(seed)) {}

    torch::jit::Module make(const std::string& className)
    {
        return torch::jit::Module(c10::QualifiedName(
            "__torch__.loupe.builtin.m" + std::to_string(counter_++) + "." + className));
    }

    torch::jit::Module conv(int in, int out, int k, int stride, double initScale = 1.0)
    {
        auto m = make("Conv2d");
        // He initialisation: the network is trained from scratch with AdamW, no BN.
        m.register_parameter("weight",
            (torch::randn({out, in, k, k}, generator_) * initScale * std::sqrt(2.0 / (in * k * k)))
                .requires_grad_(),
            false);
        m.register_parameter("bias", torch::zeros({out}).requires_grad_(), false);
        m.register_attribute("stride", c10::IntType::get(), stride);
        m.register_attribute("padding", c10::IntType::get(), k / 2);
        m.define(R"(
def forward(self, x):
    return torch.conv2d(x, self.weight, self.bias, [self.stride, self.stride], [self.padding, self.padding])
)");
        return m;
    }
    torch::jit::Module relu()
    {
        auto m = make("ReLU");
        m.define("def forward(self, x):\n    return torch.relu(x)\n");
        return m;
    }
    torch::jit::Module convRelu(int in, int out, int k, int stride = 1, double initScale = 1.0)
    {
        auto m = make("ConvReLU");
        m.register_module("conv", conv(in, out, k, stride, initScale));
        m.register_module("relu", relu());
        m.define("def forward(self, x):\n    return self.relu.forward(self.conv.forward(x))\n");
        return m;
    }
    torch::jit::Module maxPool(int k, int stride, int padding)
    {
        auto m = make("MaxPool2d");
        m.register_attribute("k", c10::IntType::get(), k);
        m.register_attribute("s", c10::IntType::get(), stride);
        m.register_attribute("p", c10::IntType::get(), padding);
        m.define(R"(
def forward(self, x):
    return torch.max_pool2d(x, [self.k, self.k], [self.s, self.s], [self.p, self.p])
)");
        return m;
    }

    at::Generator& generator() { return generator_; }

private:
    int counter_ = 0;
    at::Generator generator_;
};

torch::jit::Module buildNetwork(int w, std::uint64_t seed)
{
    ModuleFactory f(seed);
    auto mixed = f.make("Inception");
    mixed.register_module("b1x1", f.convRelu(32 * w, 16 * w, 1));
    mixed.register_module("b3x3_reduce", f.convRelu(32 * w, 16 * w, 1));
    mixed.register_module("b3x3", f.convRelu(16 * w, 24 * w, 3));
    mixed.register_module("b5x5_reduce", f.convRelu(32 * w, 8 * w, 1));
    mixed.register_module("b5x5", f.convRelu(8 * w, 8 * w, 5));
    mixed.register_module("pool", f.maxPool(3, 1, 1));
    mixed.register_module("pool_proj", f.convRelu(32 * w, 16 * w, 1));
    mixed.define(R"(
def forward(self, x):
    a = self.b1x1.forward(x)
    b = self.b3x3.forward(self.b3x3_reduce.forward(x))
    c = self.b5x5.forward(self.b5x5_reduce.forward(x))
    d = self.pool_proj.forward(self.pool.forward(x))
    return torch.cat([a, b, c, d], 1)
)");
    auto avgpool = f.make("AdaptiveAvgPool2d");
    avgpool.define("def forward(self, x):\n    return x.mean([2, 3])\n");
    auto fc = f.make("Linear");
    fc.register_parameter("weight",
        (torch::randn({kShapeClassCount, 64 * w}, f.generator()) * std::sqrt(1.0 / (64 * w)))
            .requires_grad_(),
        false);
    fc.register_parameter("bias", torch::zeros({kShapeClassCount}).requires_grad_(), false);
    fc.define("def forward(self, x):\n    return torch.linear(x, self.weight, self.bias)\n");

    auto net = f.make("LoupeShapesNet");
    // A small first-layer init plus weight decay lets the filters that training shapes
    // (edges, colour opponents) stand out instead of staying buried in their random start.
    net.register_module("conv1", f.convRelu(3, 16 * w, 5, 2, 0.1));
    net.register_module("conv2", f.convRelu(16 * w, 32 * w, 3));
    net.register_module("pool2", f.maxPool(2, 2, 0));
    net.register_module("mixed3", mixed);
    net.register_module("pool3", f.maxPool(2, 2, 0));
    net.register_module("conv4", f.convRelu(64 * w, 64 * w, 3));
    net.register_module("avgpool", avgpool);
    net.register_module("fc", fc);
    net.define(R"(
def forward(self, x):
    x = self.conv1.forward(x)
    x = self.pool2.forward(self.conv2.forward(x))
    x = self.pool3.forward(self.mixed3.forward(x))
    x = self.conv4.forward(x)
    return self.fc.forward(self.avgpool.forward(x))
)");
    return net;
}

constexpr float kMean = 0.5f;
constexpr float kStd = 0.25f;

std::string metadataJson(const TrainingConfig& config, double accuracy, int step)
{
    Json doc = Json::object();
    doc["name"] = "Loupe Shapes CNN (built-in)";
    doc["source"] = "trained by Loupe on its procedural shapes dataset, seed " +
        std::to_string(config.seed) + ", step " + std::to_string(step);
    doc["license"] = "generated locally; no third-party weights";
    Json labels = Json::array();
    for (const auto& name : shapeClassNames())
        labels.push(name);
    doc["labels"] = labels;
    Json input = Json::object();
    input["size"] = config.imageSize;
    input["color_order"] = "RGB";
    input["range"] = Json(Json::Array{0, 1});
    input["mean"] = Json(Json::Array{kMean, kMean, kMean});
    input["std"] = Json(Json::Array{kStd, kStd, kStd});
    doc["input"] = input;
    doc["held_out_accuracy"] = accuracy;
    return doc.dump(2);
}

// Samples are addressed by index: training uses indices from 0 upwards, the held-out set
// a disjoint range, so no test image is ever trained on.
constexpr std::uint64_t kTestIndexBase = 1ULL << 40;

torch::Tensor renderBatch(
    const TrainingConfig& config, std::uint64_t firstIndex, int count, torch::Tensor& labels)
{
    const int s = config.imageSize;
    auto pixels = torch::empty({count, s, s, 3}, torch::kUInt8);
    labels = torch::empty({count}, torch::kLong);
    auto* out = pixels.data_ptr<std::uint8_t>();
    auto* lab = labels.data_ptr<std::int64_t>();
    for (int i = 0; i < count; ++i) {
        const std::uint64_t index = firstIndex + std::uint64_t(i);
        const int cls = int((index * 7 + config.seed) % kShapeClassCount);
        const RgbImage img =
            renderShapeSample(ShapeClass(cls), config.seed * 1000003ULL + index, s);
        std::memcpy(out + size_t(i) * s * s * 3, img.pixels.data(), img.pixels.size());
        lab[i] = cls;
    }
    return (pixels.permute({0, 3, 1, 2}).to(torch::kFloat32) / 255.f - kMean) / kStd;
}

double evaluate(torch::jit::Module& net, const TrainingConfig& config,
    const torch::Tensor& testImages, const torch::Tensor& testLabels)
{
    torch::NoGradGuard noGrad;
    int correct = 0;
    for (int64_t start = 0; start < testImages.size(0); start += 200) {
        const auto batch =
            testImages.slice(0, start, std::min<int64_t>(start + 200, testImages.size(0)));
        const auto logits = net.forward({batch}).toTensor();
        correct += int((logits.argmax(1) == testLabels.slice(0, start, start + batch.size(0)))
                           .sum()
                           .item<int64_t>());
    }
    return double(correct) / double(testImages.size(0));
}

void saveAtomically(torch::jit::Module& net, const std::string& path, const std::string& metadata)
{
    const std::string temp = path + ".partial";
    net.save(temp, {{"loupe.json", metadata}});
    fs::rename(temp, path);
}

std::string formatSeconds(double s)
{
    std::ostringstream out;
    out << int(s) / 60 << ":" << (int(s) % 60 < 10 ? "0" : "") << int(s) % 60;
    return out.str();
}

}  // namespace

TrainingReport trainBuiltinModel(
    const TrainingConfig& config, const std::string& directory, Progress& progress)
{
    if (config.steps < 1 || config.batchSize < 1 || config.imageSize < 16)
        throw Error("invalid training configuration");
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };

    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec)
        throw Error("cannot create '" + directory + "': " + ec.message());
    // Checkpoints go to a private folder first and replace the old ones only on success.
    const fs::path staging = fs::path(directory) / (".training-" + std::to_string(config.seed));
    fs::remove_all(staging, ec);
    fs::create_directories(staging / "checkpoints", ec);
    if (ec)
        throw Error("cannot write in '" + directory + "': " + ec.message());

    TrainingReport report;
    try {
        auto net = buildNetwork(config.widthMultiplier, config.seed);
        net.train();
        std::vector<torch::Tensor> parameters;
        for (const auto& p : net.parameters())
            parameters.push_back(p);
        torch::optim::AdamW optimiser(parameters,
            torch::optim::AdamWOptions(config.learningRate).weight_decay(config.weightDecay));

        progress.report(0, "rendering the held-out set");
        torch::Tensor testLabels;
        const auto testImages = renderBatch(config, kTestIndexBase, config.testImages, testLabels);

        const int checkpointCount = std::clamp(config.checkpoints, 1, config.steps);
        const auto isCheckpoint = [&](int step) {
            // Steps round(k * steps / n) for k = 1..n: evenly spread, the last one is the end.
            for (int k = 1; k <= checkpointCount; ++k)
                if (step == int(std::lround(double(k) * config.steps / checkpointCount)))
                    return true;
            return false;
        };
        double smoothedLoss = std::log(double(kShapeClassCount)), smoothedAccuracy = 0.1;
        for (int step = 1; step <= config.steps; ++step) {
            progress.checkCancelled();
            // Cosine decay: large steps early, fine-tuning at the end.
            const double lr = config.learningRate * 0.5 *
                (1 + std::cos(3.14159265358979 * (step - 1) / config.steps));
            for (auto& group : optimiser.param_groups())
                static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);

            torch::Tensor labels;
            const auto images = renderBatch(
                config, std::uint64_t(step - 1) * config.batchSize, config.batchSize, labels);
            const auto logits = net.forward({images}).toTensor();
            const auto loss = torch::nn::functional::cross_entropy(logits, labels);
            optimiser.zero_grad();
            loss.backward();
            optimiser.step();
            if (!std::isfinite(loss.item<double>()))
                throw Error(
                    "training diverged (loss is not finite) at step " + std::to_string(step));

            smoothedLoss = 0.95 * smoothedLoss + 0.05 * loss.item<double>();
            smoothedAccuracy = 0.95 * smoothedAccuracy +
                0.05 * (logits.argmax(1) == labels).to(torch::kFloat32).mean().item<double>();
            if (step % 10 == 0 || step == config.steps) {
                const double eta = elapsed() / step * (config.steps - step);
                std::ostringstream text;
                text.precision(3);
                text << "step " << step << "/" << config.steps << "  loss " << smoothedLoss
                     << "  train acc " << int(100 * smoothedAccuracy) << "%  ETA "
                     << formatSeconds(eta);
                progress.report(double(step) / config.steps, text.str());
            }
            if (isCheckpoint(step)) {
                net.eval();
                const double accuracy = evaluate(net, config, testImages, testLabels);
                net.train();
                char name[32];
                std::snprintf(name, sizeof name, "step-%05d.pt", step);
                saveAtomically(net, (staging / "checkpoints" / name).string(),
                    metadataJson(config, accuracy, step));
                report.checkpointPaths.push_back(
                    (fs::path(directory) / "checkpoints" / name).string());
            }
            report.finalLoss = smoothedLoss;
        }
        progress.checkCancelled();
        net.eval();
        report.testAccuracy = evaluate(net, config, testImages, testLabels);
        report.steps = config.steps;
        saveAtomically(net, (staging / "loupe-shapes.pt").string(),
            metadataJson(config, report.testAccuracy, config.steps));

        // Publish: checkpoints first, then the model, each by rename.
        fs::remove_all(fs::path(directory) / "checkpoints", ec);
        fs::rename(staging / "checkpoints", fs::path(directory) / "checkpoints");
        report.modelPath = (fs::path(directory) / "loupe-shapes.pt").string();
        fs::rename(staging / "loupe-shapes.pt", report.modelPath);
        fs::remove_all(staging, ec);
    } catch (...) {
        fs::remove_all(staging, ec);
        throw;
    }
    report.seconds = elapsed();
    return report;
}

}  // namespace loupe
