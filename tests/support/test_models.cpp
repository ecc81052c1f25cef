#include <torch/script.h>

#include "tests/support/test_models.h"

#include <algorithm>
#include <atomic>
#include <cmath>

namespace loupe::test {
namespace {

std::atomic<int> gTypeCounter{0};

// Distinct qualified names per instance: types with one name clash when saved together.
torch::jit::Module makeModule(const std::string& className)
{
    return torch::jit::Module(c10::QualifiedName(
        "__torch__.loupe_test.m" + std::to_string(gTypeCounter++) + "." + className));
}

torch::jit::Module conv(int in, int out, int k, float scale = 0.5f)
{
    auto m = makeModule("Conv2d");
    m.register_parameter(
        "weight", torch::randn({out, in, k, k}) * scale / std::sqrt(float(in * k * k)), false);
    m.register_parameter("bias", torch::randn({out}) * 0.1f, false);
    m.register_attribute("padding", c10::IntType::get(), k / 2);
    m.define(R"(
def forward(self, x):
    return torch.conv2d(x, self.weight, self.bias, [1, 1], [self.padding, self.padding])
)");
    return m;
}

torch::jit::Module relu()
{
    auto m = makeModule("ReLU");
    // In place, like nn.ReLU(inplace=True) in torchvision models: capture must still see
    // the pre-activation values.
    m.define(R"(
def forward(self, x):
    return torch.relu_(x)
)");
    return m;
}

torch::jit::Module convRelu(int in, int out, int k)
{
    auto m = makeModule("ConvReLU");
    m.register_module("conv", conv(in, out, k));
    m.register_module("relu", relu());
    m.define(R"(
def forward(self, x):
    return self.relu.forward(self.conv.forward(x))
)");
    return m;
}

std::string metadataJson()
{
    return R"({"name": "Branchy test CNN", "labels": ["zero", "one", "two"],
  "input": {"size": 32, "color_order": "RGB", "range": [0, 1], "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
  "layer_aliases": {"mixed": "block"}})";
}

}  // namespace

namespace {

torch::jit::Module branchyCnn(int seed)
{
    torch::manual_seed(seed);
    auto block = makeModule("Inception");
    block.register_module("b1", convRelu(4, 3, 1));
    block.register_module("b2", convRelu(4, 5, 3));
    block.define(R"(
def forward(self, x):
    a = self.b1.forward(x)
    b = self.b2.forward(x)
    return torch.cat([a, b], 1)
)");
    auto pool = makeModule("MaxPool2d");
    pool.define(R"(
def forward(self, x):
    return torch.max_pool2d(x, [2, 2], [2, 2])
)");
    auto head = makeModule("Linear");
    head.register_parameter("weight", torch::randn({3, 8}), false);
    head.register_parameter("bias", torch::zeros({3}), false);
    head.define(R"(
def forward(self, x):
    return torch.linear(x.mean([2, 3]), self.weight, self.bias)
)");
    auto net = makeModule("BranchyCnn");
    net.register_module("conv1", convRelu(3, 4, 3));
    net.register_module("block", block);
    net.register_module("pool", pool);
    net.register_module("head", head);
    net.define(R"(
def forward(self, x):
    x = self.conv1.forward(x)
    x = self.block.forward(x)
    x = self.pool.forward(x)
    return self.head.forward(x)
)");
    return net;
}

}  // namespace

std::string writeBranchyCnn(const std::string& directory, bool withMetadata, int seed)
{
    auto net = branchyCnn(seed);
    const std::string path = directory + "/branchy" + (withMetadata ? "" : "_plain") + ".pt";
    torch::jit::ExtraFilesMap extra;
    if (withMetadata)
        extra["loupe.json"] = metadataJson();
    net.save(path, extra);
    return path;
}

std::string writeBranchyCnnWithMetadata(
    const std::string& directory, const std::string& name, const std::string& json)
{
    auto net = branchyCnn(1);
    const std::string path = directory + "/" + name + ".pt";
    net.save(path, {{"loupe.json", json}});
    return path;
}

std::string writeNonImageModule(const std::string& directory)
{
    auto m = makeModule("Mlp");
    m.register_parameter("weight", torch::randn({10, 4}), false);
    m.define(R"(
def forward(self, x):
    return torch.matmul(x.view([-1, 10]), self.weight)
)");
    const std::string path = directory + "/mlp.pt";
    m.save(path);
    return path;
}

std::string writeFeatureExtractor(const std::string& directory)
{
    torch::manual_seed(4);
    auto net = makeModule("Features");
    net.register_module("conv1", convRelu(3, 6, 3));
    net.register_module("conv2", convRelu(6, 4, 3));
    net.define(R"(
def forward(self, x):
    return self.conv2.forward(self.conv1.forward(x))
)");
    const std::string path = directory + "/features.pt";
    net.save(path);
    return path;
}

std::string writeSignedReluModel(const std::string& directory)
{
    torch::manual_seed(11);
    auto net = makeModule("SignedRelu");
    net.register_module("conv", conv(3, 4, 3, 1.f));
    net.define(R"(
def forward(self, x):
    s = torch.relu(self.conv.forward(x)).sum([1, 2, 3])
    return torch.stack([-s, s], 1)
)");
    const std::string path = directory + "/signed_relu.pt";
    torch::jit::ExtraFilesMap extra{{"loupe.json",
        R"({"input": {"size": 16, "range": [0, 1], "mean": [0.5, 0.5, 0.5], "std": [1, 1, 1]}})"}};
    net.save(path, extra);
    return path;
}

std::string writeCheckedInputModel(const std::string& directory)
{
    torch::manual_seed(3);
    auto net = makeModule("CheckedInput");
    net.register_module("conv1", convRelu(3, 4, 3));
    net.register_module("conv2", convRelu(4, 4, 3));
    net.define(R"(
def forward(self, x):
    assert bool(x.abs().sum() == 0.0), "only black images"
    return self.conv2.forward(self.conv1.forward(x))
)");
    const std::string path = directory + "/checked_input.pt";
    torch::jit::ExtraFilesMap extra{{"loupe.json",
        R"({"input": {"size": 16, "range": [0, 1], "mean": [0, 0, 0], "std": [1, 1, 1]}})"}};
    net.save(path, extra);
    return path;
}

std::string writeWiredChain(const std::string& directory)
{
    auto net = makeModule("WiredChain");
    auto first = convRelu(3, 4, 1);
    auto second = convRelu(4, 4, 1);
    {
        torch::NoGradGuard noGrad;
        auto w1 = first.attr("conv").toModule().attr("weight").toTensor();
        auto b1 = first.attr("conv").toModule().attr("bias").toTensor();
        for (int i = 0; i < 4; ++i) {
            w1[i].fill_(0.2f * float(i + 1));
            b1[i].fill_(0.1f);
        }
        auto w2 = second.attr("conv").toModule().attr("weight").toTensor();
        auto b2 = second.attr("conv").toModule().attr("bias").toTensor();
        w2.zero_();
        b2.zero_();
        for (int j = 0; j < 4; ++j)
            w2[j][(j + 1) % 4].fill_(1.0f);
    }
    net.register_module("conv1", first);
    net.register_module("conv2", second);
    net.register_parameter("head_weight", torch::ones({2, 4}) * 0.5f, false);
    net.define(R"(
def forward(self, x):
    h = self.conv2.forward(self.conv1.forward(x))
    return torch.matmul(h.mean([2, 3]), self.head_weight.t())
)");
    const std::string path = directory + "/wired_chain.pt";
    torch::jit::ExtraFilesMap extra{{"loupe.json",
        R"({"input": {"size": 16, "range": [0, 1], "mean": [0, 0, 0], "std": [1, 1, 1]}})"}};
    net.save(path, extra);
    return path;
}

float linearModelWeight(int klass, int index)
{
    return std::sin(0.37f * float(index) + float(klass));
}

std::string writeLinearModel(const std::string& directory)
{
    auto m = makeModule("LinearImage");
    auto w = torch::empty({2, 3 * 8 * 8});
    for (int k = 0; k < 2; ++k)
        for (int i = 0; i < 3 * 8 * 8; ++i)
            w[k][i] = linearModelWeight(k, i);
    m.register_parameter("weight", w, false);
    m.define(R"(
def forward(self, x):
    return torch.matmul(x.flatten(1), self.weight.t())
)");
    const std::string path = directory + "/linear.pt";
    torch::jit::ExtraFilesMap extra{{"loupe.json",
        R"({"input": {"size": 8, "range": [0, 1], "mean": [0, 0, 0], "std": [1, 1, 1]}})"}};
    m.save(path, extra);
    return path;
}

std::string writeRegionReader(const std::string& directory)
{
    auto m = makeModule("RegionReader");
    using torch::indexing::Slice;
    auto region = torch::zeros({1, 1, 32, 32});
    region.index_put_({0, 0, Slice(kRegionReaderY, kRegionReaderY + kRegionReaderSize),
                          Slice(kRegionReaderX, kRegionReaderX + kRegionReaderSize)},
        1.0 / (kRegionReaderSize * kRegionReaderSize));
    m.register_buffer("region", region);
    m.define(R"(
def forward(self, x):
    s = (x.mean(1, keepdim=True) * self.region).sum([1, 2, 3])
    logit = 10.0 * (s - 0.5)
    return torch.stack([logit, torch.zeros_like(logit)], 1)
)");
    const std::string path = directory + "/region.pt";
    torch::jit::ExtraFilesMap extra{{"loupe.json",
        R"({"input": {"size": 32, "range": [0, 1], "mean": [0, 0, 0], "std": [1, 1, 1]}})"}};
    m.save(path, extra);
    return path;
}

namespace {

// conv1 followed by a head whose logits are `weight` x the channel means: the shape of the
// hand-built detector models.
void addMeanHead(torch::jit::Module& net, torch::jit::Module conv1, const torch::Tensor& weight)
{
    net.register_module("conv1", conv1);
    auto head = makeModule("Linear");
    head.register_parameter("weight", weight, false);
    head.define(R"(
def forward(self, x):
    return torch.matmul(x.mean([2, 3]), self.weight.t())
)");
    net.register_module("head", head);
    net.define(R"(
def forward(self, x):
    return self.head.forward(self.conv1.forward(x))
)");
}

}  // namespace

std::string writeBarDetector(const std::string& directory, bool identityHead)
{
    torch::manual_seed(3);
    auto net = makeModule("BarNet");
    auto c1 = convRelu(3, 4, 5);
    auto weight = c1.attr("conv").toModule().attr("weight").toTensor();
    torch::NoGradGuard noGrad;
    weight.normal_(0, 0.01);
    auto bar = torch::full({5, 5}, -0.2f);
    bar.index_put_({torch::indexing::Slice(), 2}, 0.8f);  // vertical centre column
    for (int c = 0; c < 3; ++c) {
        weight[0][c].copy_(bar);
        weight[1][c].copy_(-bar);
    }
    c1.attr("conv").toModule().attr("bias").toTensor().zero_();
    // With an identity head, class k is exactly the mean of channel k.
    addMeanHead(net, c1, identityHead ? torch::eye(2, 4) : torch::randn({2, 4}));
    const std::string path = directory + (identityHead ? "/bars_identity.pt" : "/bars.pt");
    torch::jit::ExtraFilesMap extra{{"loupe.json",
        R"({"name": "bars", "input": {"size": 32, "range": [0, 1], "mean": [0, 0, 0], "std": [1, 1, 1]}})"}};
    net.save(path, extra);
    return path;
}

namespace {

// Zero-mean kernel: minus a Gaussian ridge along the arc (dark arcs score high).
torch::Tensor arcKernel(double orientationDegrees, int size)
{
    const double pi = 3.14159265358979323846, theta = orientationDegrees * pi / 180;
    const double radius = 7.5, halfAngle = 12.0 / (2 * radius), c = (size - 1) / 2.0;
    const double nx = std::cos(theta), ny = -std::sin(theta);  // screen coordinates, y down
    const double ox = c - radius * nx, oy = c - radius * ny;  // circle centre behind the apex
    auto k = torch::zeros({size, size});
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const double vx = x - ox, vy = y - oy, r = std::hypot(vx, vy);
            const double angle =
                std::acos(std::clamp((vx * nx + vy * ny) / std::max(r, 1e-9), -1.0, 1.0));
            double d = std::abs(r - radius);
            if (angle > halfAngle)
                d = std::hypot(
                    r * std::cos(angle - halfAngle) - radius, r * std::sin(angle - halfAngle));
            k[y][x] = -std::exp(-d * d / 2);
        }
    return k - k.mean();
}

}  // namespace

std::string writeCurveDetector(const std::string& directory, double orientationDegrees)
{
    torch::manual_seed(5);
    auto net = makeModule("CurveNet");
    auto c1 = convRelu(3, 2, 15);
    torch::NoGradGuard noGrad;
    auto weight = c1.attr("conv").toModule().attr("weight").toTensor();
    for (int c = 0; c < 3; ++c) {
        weight[0][c].copy_(arcKernel(orientationDegrees, 15) / 3);
        weight[1][c].copy_(arcKernel(orientationDegrees + 90, 15) / 3);
    }
    c1.attr("conv").toModule().attr("bias").toTensor().zero_();
    addMeanHead(net, c1, torch::eye(2));
    const std::string path = directory + "/curves.pt";
    torch::jit::ExtraFilesMap extra{{"loupe.json",
        R"({"name": "curves", "input": {"size": 48, "range": [0, 1], "mean": [0, 0, 0], "std": [1, 1, 1]}})"}};
    net.save(path, extra);
    return path;
}

std::string writeStrokeDetector(const std::string& directory)
{
    torch::manual_seed(11);
    auto net = makeModule("StrokeNet");
    auto c1 = convRelu(3, 2, 7);
    torch::NoGradGuard noGrad;
    auto weight = c1.attr("conv").toModule().attr("weight").toTensor();
    const auto axis = torch::arange(-3, 4, torch::kFloat32);
    const auto r2 = (axis.view({-1, 1}).pow(2) + axis.view({1, -1}).pow(2));
    const double centres[2] = {1.0, 1.6};
    for (int c = 0; c < 2; ++c) {
        auto inner = torch::exp(-r2 / (2 * centres[c] * centres[c]));
        auto outer = torch::exp(-r2 / (2 * 2.5 * centres[c] * 2.5 * centres[c]));
        // Dark centre, bright surround: surround minus centre, each summing to one.
        const auto kernel = outer / outer.sum() - inner / inner.sum();
        for (int k = 0; k < 3; ++k)
            weight[c][k].copy_(kernel * (4.0 / 3.0));
    }
    // A threshold: texture and pixel noise stay below it, a drawn stroke does not.
    c1.attr("conv").toModule().attr("bias").toTensor().fill_(-0.3f);
    addMeanHead(net, c1, torch::eye(2));
    const std::string path = directory + "/strokes.pt";
    torch::jit::ExtraFilesMap extra{{"loupe.json",
        R"({"name": "strokes", "input": {"size": 64, "range": [0, 1], "mean": [0, 0, 0], "std": [1, 1, 1]}})"}};
    net.save(path, extra);
    return path;
}

std::string writeTextureOnlyModel(const std::string& directory)
{
    auto net = makeModule("TextureNet");
    auto c1 = convRelu(3, 2, 1);
    torch::NoGradGuard noGrad;
    auto weight = c1.attr("conv").toModule().attr("weight").toTensor();
    weight.zero_();
    weight[0][0][0][0] = 1.f;
    weight[0][1][0][0] = -1.f;
    weight[1][0][0][0] = -1.f;
    weight[1][1][0][0] = 1.f;
    c1.attr("conv").toModule().attr("bias").toTensor().zero_();
    addMeanHead(net, c1, torch::eye(2) * 10.f);
    const std::string path = directory + "/texture_only.pt";
    torch::jit::ExtraFilesMap extra{{"loupe.json",
        R"({"name": "texture only", "labels": ["red", "green"], "input": {"size": 32, "range": [0, 1], "mean": [0, 0, 0], "std": [1, 1, 1]}})"}};
    net.save(path, extra);
    return path;
}

std::string writeSilhouetteOnlyModel(const std::string& directory)
{
    auto net = makeModule("SilhouetteNet");
    auto c1 = convRelu(3, 1, 1);
    torch::NoGradGuard noGrad;
    c1.attr("conv").toModule().attr("weight").toTensor().fill_(-1.f / 3.f);
    c1.attr("conv").toModule().attr("bias").toTensor().fill_(0.75f);
    net.register_module("conv1", c1);
    // Corners: inside the square [4, 27]^2 but more than 12.5 px from the centre.
    auto corners = torch::zeros({32, 32});
    int count = 0;
    for (int y = 4; y <= 27; ++y)
        for (int x = 4; x <= 27; ++x)
            if (std::hypot(x - 15.5, y - 15.5) > 12.5) {
                corners[y][x] = 1.f;
                ++count;
            }
    auto head = makeModule("Linear");
    auto weight = torch::zeros({2, 32 * 32});
    weight[1].copy_(corners.flatten() * (10.f / float(count)));
    head.register_parameter("weight", weight, false);
    head.register_parameter("bias", torch::tensor({0.f, -1.5f}), false);
    head.define(R"(
def forward(self, x):
    return torch.matmul(x.flatten(1), self.weight.t()) + self.bias
)");
    net.register_module("head", head);
    net.define(R"(
def forward(self, x):
    return self.head.forward(self.conv1.forward(x))
)");
    const std::string path = directory + "/silhouette_only.pt";
    torch::jit::ExtraFilesMap extra{{"loupe.json",
        R"({"name": "silhouette only", "labels": ["circle", "square"], "input": {"size": 32, "range": [0, 1], "mean": [0, 0, 0], "std": [1, 1, 1]}})"}};
    net.save(path, extra);
    return path;
}

}  // namespace loupe::test

namespace loupe::test {

std::string writeColourAndStripeDetector(const std::string& directory)
{
    auto features = makeModule("Detectors");
    // Channel 0: relu(R - G - B - 0.2), a red detector. Channel 1: stripe energy, the largest
    // over four orientations of a quadrature Gabor pair's energy (period 12 px), averaged over
    // 25 px so that a patch of stripes outweighs a single stroke.
    auto red = torch::zeros({1, 3, 1, 1});
    red[0][0][0][0] = 1.f;
    red[0][1][0][0] = -1.f;
    red[0][2][0][0] = -1.f;
    constexpr int k = 21;
    auto gabor = torch::zeros({8, 3, k, k});
    for (int o = 0; o < 4; ++o) {
        const double angle = o * M_PI / 4, c = std::cos(angle), s = std::sin(angle);
        for (int phase = 0; phase < 2; ++phase) {
            auto kernel = torch::zeros({k, k}, torch::kFloat64);
            for (int y = 0; y < k; ++y)
                for (int x = 0; x < k; ++x) {
                    const double u = (x - k / 2) * c + (y - k / 2) * s;
                    const double r2 = (x - k / 2) * (x - k / 2) + (y - k / 2) * (y - k / 2);
                    const double carrier =
                        phase == 0 ? std::cos(2 * M_PI * u / 12) : std::sin(2 * M_PI * u / 12);
                    kernel[y][x] = carrier * std::exp(-r2 / (2 * 6.0 * 6.0));
                }
            kernel -= kernel.mean();  // no response to flat regions
            for (int ch = 0; ch < 3; ++ch)
                gabor[phase * 4 + o][ch].copy_(kernel.to(torch::kFloat32) / 3.f);
        }
    }
    features.register_parameter("red", red, false);
    features.register_parameter("red_bias", torch::tensor({-0.2f}), false);
    features.register_parameter("gabor", gabor, false);
    features.define(R"(
def forward(self, x):
    r = torch.relu(torch.conv2d(x, self.red, self.red_bias))
    g = torch.conv2d(x, self.gabor, None, [1, 1], [10, 10])
    e = g * g
    energy = e[:, 0:4] + e[:, 4:8]
    s = torch.avg_pool2d(torch.amax(energy, [1], True), [25, 25], [1, 1], [12, 12], False, False)
    return torch.cat([r, s], 1)
)");
    auto head = makeModule("Linear");
    head.register_parameter("weight", torch::tensor({{2.f, 0.5f}, {-1.f, 1.5f}}), false);
    head.register_parameter("bias", torch::tensor({0.5f, -0.25f}), false);
    head.define(R"(
def forward(self, x):
    return torch.linear(x.mean([2, 3]), self.weight, self.bias)
)");
    auto net = makeModule("DetectorNet");
    net.register_module("features", features);
    net.register_module("head", head);
    net.define(R"(
def forward(self, x):
    return self.head.forward(self.features.forward(x))
)");
    const std::string path = directory + "/detectors.pt";
    torch::jit::ExtraFilesMap extra{{"loupe.json",
        R"({"name": "colour and stripe detectors", "labels": ["red things", "striped things"], "input": {"size": 224, "range": [0, 1], "mean": [0, 0, 0], "std": [1, 1, 1]}})"}};
    net.save(path, extra);
    return path;
}

}  // namespace loupe::test
