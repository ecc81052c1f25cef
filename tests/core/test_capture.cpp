#include <torch/script.h>

#include "core/device.h"
#include "core/error.h"
#include "core/torch/meta_pass.h"
#include "core/torch/model_impl.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace loupe;

namespace {

torch::jit::Module child(torch::jit::Module& m, const char* path)
{
    torch::jit::Module current = m;
    std::string rest = path;
    while (!rest.empty()) {
        const auto dot = rest.find('.');
        current = current.attr(rest.substr(0, dot)).toModule();
        rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
    }
    return current;
}

torch::Tensor call(torch::jit::Module& m, const char* path, const torch::Tensor& x)
{
    return child(m, path).forward({x.clone()}).toTensor();
}

bool close(const torch::Tensor& a, const torch::Tensor& b)
{
    return a.sizes() == b.sizes() && torch::allclose(a, b, 1e-5, 1e-6);
}

// A scripted module of type capture_test.`name` with random weights of `weightShape` whose
// forward returns `expression` (of x and self.weight): by default one bias-free convolution.
torch::jit::Module convModule(const std::string& name, std::vector<int64_t> weightShape,
    const std::string& expression = "torch.conv2d(x, self.weight)")
{
    torch::jit::Module conv(c10::QualifiedName("__torch__.capture_test." + name));
    conv.register_parameter("weight", torch::randn(weightShape), false);
    conv.define("def forward(self, x):\n    return " + expression + "\n");
    return conv;
}

// Every parameter of the module at any depth, cloned, in a fixed order.
std::vector<torch::Tensor> parametersOf(const torch::jit::Module& m)
{
    std::vector<torch::Tensor> tensors;
    for (const auto& p : m.named_parameters(true))
        tensors.push_back(p.value.clone());
    return tensors;
}

bool sameTensors(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].is_meta() || b[i].is_meta() || !a[i].equal(b[i]))
            return false;
    return true;
}

torch::Tensor weightOf(torch::jit::Module& m, const char* path)
{
    return child(m, path).attr("weight").toTensor();
}

}  // namespace

class TestCapture : public QObject {
    Q_OBJECT
private slots:
    void init()
    {
        torch::manual_seed(0);
        model_ =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
    }

    // A job run inside another job's step (the scheduler's pre-emption) starts from LibTorch's
    // default autograd state, whatever guard the interrupted job holds, and the interrupted
    // job's state is back afterwards.
    void aNestedJobDoesNotInheritTheAutogradState()
    {
        const c10::InferenceMode inference;
        const torch::NoGradGuard noGrad;
        bool gradInside = false, inferenceInside = true, backwardWorked = false;
        runWithDefaultAutogradState([&] {
            gradInside = torch::GradMode::is_enabled();
            inferenceInside = c10::InferenceMode::is_enabled();
            auto x = torch::ones({3}, torch::requires_grad());
            (x * x).sum().backward();
            backwardWorked = x.grad().defined() && x.grad()[0].item<float>() == 2.0f;
        });
        QVERIFY(gradInside);
        QVERIFY(!inferenceInside);
        QVERIFY(backwardWorked);
        QVERIFY(!torch::GradMode::is_enabled());
        QVERIFY(c10::InferenceMode::is_enabled());
    }

    void capturedValuesEqualDirectCalls()
    {
        auto& d = model_->impl();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({2, 3, 32, 32});
        const auto& plan =
            d.captures.plan(d.module, {{"conv1.conv"}, {"conv1"}, {"block"}, {"pool"}}, true);
        const auto result = runCapture(d.module, plan, x);

        const auto pre = call(d.module, "conv1.conv", x);
        const auto post = pre.relu();
        const auto block = call(d.module, "block", post);
        QVERIFY(close(result.activations[0], pre));
        QVERIFY2((result.activations[0] < 0).any().item<bool>(),
            "in-place ReLU overwrote the captured conv output");
        QVERIFY(close(result.activations[1], post));
        QVERIFY(close(result.activations[2], block));
        QVERIFY(close(result.activations[3], call(d.module, "pool", block)));
        QVERIFY(close(result.modelOutput, d.module.forward({x.clone()}).toTensor()));
    }

    // The out-of-memory fallback's chunked path gives the batch's results, in order.
    void chunkedCaptureEqualsOneBatch()
    {
        auto& d = model_->impl();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({5, 3, 32, 32});
        const auto& plan = d.captures.plan(d.module, {{"conv1"}, {"block"}}, true);
        const auto whole = runCapture(d.module, plan, x);
        int maxBatch = 2;
        const auto chunked = runCaptureInChunks(d.module, plan, x, maxBatch);
        QCOMPARE(maxBatch, 2);
        for (size_t a = 0; a < whole.activations.size(); ++a)
            QVERIFY(close(chunked.activations[a], whole.activations[a]));
        QVERIFY(close(chunked.modelOutput, whole.modelOutput));
    }

    void preReluFollowsConcatBranches()
    {
        auto& d = model_->impl();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({1, 3, 32, 32});
        const auto& plan = d.captures.plan(d.module, {{"block", true}, {"conv1"}}, false);
        QCOMPARE(
            plan.partSources.at(0), (std::vector<std::string>{"block.b1.conv", "block.b2.conv"}));
        const auto result = runCapture(d.module, plan, x);
        const auto pre = result.activations[0];
        const auto input = result.activations[1];
        QCOMPARE(pre.size(1), 8);
        QVERIFY(close(pre.slice(1, 0, 3), call(d.module, "block.b1.conv", input)));
        QVERIFY(close(pre.slice(1, 3, 8), call(d.module, "block.b2.conv", input)));
        QVERIFY((pre < 0).any().item<bool>());
        QVERIFY(close(pre.relu(), call(d.module, "block", input)));
    }

    void gradientsFlowFromCapturedLayerToInput()
    {
        auto& d = model_->impl();
        const auto x = torch::randn({1, 3, 32, 32}, torch::requires_grad());
        const auto& plan = d.captures.plan(d.module, {{"block", true}}, false);
        const auto act = runCapture(d.module, plan, x).activations[0];
        act.select(1, 4).mean().backward();
        QVERIFY(x.grad().defined());
        QVERIFY(x.grad().abs().sum().item<float>() > 0);
    }

    void graphIsCutAfterDeepestRequestedLayer()
    {
        auto& d = model_->impl();
        const auto& plan = d.captures.plan(d.module, {{"conv1"}}, false);
        const std::string graph = d.module.get_method(plan.methodName).graph()->toString();
        QVERIFY2(graph.find("\"block\"") == std::string::npos, graph.c_str());
        QVERIFY(graph.find("\"head\"") == std::string::npos);
        const auto& full = d.captures.plan(d.module, {{"conv1"}}, true);
        QVERIFY(d.module.get_method(full.methodName).graph()->toString().find("\"head\"") !=
            std::string::npos);
    }

    void unaddressableLayersAreExplained()
    {
        torch::jit::Module twice(c10::QualifiedName("__torch__.capture_test.Twice"));
        const torch::jit::Module conv = convModule("Conv", {3, 3, 1, 1});
        torch::jit::Module unused(c10::QualifiedName("__torch__.capture_test.Unused"));
        unused.define("def forward(self, x):\n    return x\n");
        twice.register_module("conv", conv);
        twice.register_module("unused", unused);
        twice.define("def forward(self, x):\n    return self.conv.forward(self.conv.forward(x))\n");
        std::map<std::string, std::string> problems;
        QVERIFY_THROWS_EXCEPTION(
            Error, compileCaptureOfAll(twice, {"conv", "unused"}, problems));  // none capturable
        QVERIFY(problems.at("conv").find("more than once") != std::string::npos);
        QVERIFY(problems.at("unused").find("not called") != std::string::npos);
        QVERIFY_THROWS_EXCEPTION(Error, compileCapture(twice, {{"conv"}}, false));
    }

    // A first open's one surgery: the reasons for the layers it cannot capture, and a plan that
    // returns exactly the capturable layers, in order, with the model output.
    void oneSurgeryExplainsSomeLayersAndCapturesTheOthers()
    {
        torch::jit::Module root(c10::QualifiedName("__torch__.capture_test.Mixed"));
        root.register_module("first", convModule("First", {5, 3, 3, 3}));
        root.register_module("twice", convModule("Again", {5, 5, 1, 1}));
        root.define("def forward(self, x):\n    y = self.first.forward(x)\n"
                    "    return self.twice.forward(self.twice.forward(y)).mean([2, 3])\n");
        std::map<std::string, std::string> problems;
        const CapturePlan plan = compileCaptureOfAll(root, {"first", "twice"}, problems);
        QCOMPARE(problems.at("first"), std::string());
        QVERIFY(problems.at("twice").find("more than once") != std::string::npos);
        QCOMPARE(plan.partsPerRequest.size(), size_t(1));
        const auto x = torch::randn({1, 3, 8, 8});
        const CaptureResult result = runCapture(root, plan, x);
        QVERIFY(
            torch::allclose(result.activations.at(0), torch::conv2d(x, weightOf(root, "first"))));
        QVERIFY(torch::allclose(result.modelOutput, root.forward({x}).toTensor()));
    }

    // Train-only code is folded away before a block's calls are searched, at every depth and
    // for every block of a level (the surgery propagates constants once per level): a layer
    // called only when training is "not called", not "inside a branch", and the layers around
    // it are captured with the values of a direct call.
    void trainOnlyBranchesAreFoldedAtEveryDepth()
    {
        const auto augmented = [&](const std::string& name, torch::jit::Module inner) {
            torch::jit::Module block(c10::QualifiedName("__torch__.capture_test." + name));
            block.register_attribute("training", c10::BoolType::get(), true);
            block.register_module("noise", convModule(name + "Noise", {3, 3, 1, 1}));
            block.register_module("inner", inner);
            block.define("def forward(self, x):\n    if self.training:\n"
                         "        x = self.noise.forward(x)\n"
                         "    return self.inner.forward(x)\n");
            return block;
        };
        torch::jit::Module root(c10::QualifiedName("__torch__.capture_test.Augmented"));
        root.register_module(
            "left", augmented("Left", augmented("LeftIn", convModule("L", {3, 3, 1, 1}))));
        root.register_module("right", augmented("Right", convModule("R", {3, 3, 1, 1})));
        root.define("def forward(self, x):\n"
                    "    return self.right.forward(self.left.forward(x)).mean([2, 3])\n");
        const std::vector<std::string> paths = {"left", "left.noise", "left.inner",
            "left.inner.noise", "left.inner.inner", "right", "right.noise", "right.inner"};
        std::map<std::string, std::string> problems;
        const CapturePlan plan = compileCaptureOfAll(root, paths, problems);
        for (const auto* noise : {"left.noise", "left.inner.noise", "right.noise"})
            QVERIFY2(problems.at(noise).find("not called") != std::string::npos,
                (std::string(noise) + ": " + problems.at(noise)).c_str());
        for (const auto* layer : {"left", "left.inner", "left.inner.inner", "right", "right.inner"})
            QVERIFY2(problems.at(layer).empty(),
                (std::string(layer) + ": " + problems.at(layer)).c_str());
        QCOMPARE(plan.partsPerRequest.size(), size_t(5));
        const auto x = torch::randn({1, 3, 4, 4});
        const CaptureResult result = runCapture(root, plan, x);
        const auto leftOut = torch::conv2d(x, weightOf(root, "left.inner.inner"));
        QVERIFY(torch::allclose(result.activations.at(0), leftOut));  // left
        QVERIFY(torch::allclose(result.activations.at(2), leftOut));  // left.inner.inner
        QVERIFY(torch::allclose(
            result.activations.at(4), torch::conv2d(leftOut, weightOf(root, "right.inner"))));
    }

    // A first open learns every layer's shape from a pass on the meta device: the shapes of a
    // real forward for convolutions of every kind (stride, padding and dilation per axis,
    // groups, transposed with output padding), pooling, batch norm, ReLU6, hard swish,
    // adaptive pooling, concatenation and a linear head, on an odd input size where the sizes
    // round down; the module keeps its real weights.
    void metaPassGivesTheShapesOfARealForward()
    {
        torch::jit::Module root(c10::QualifiedName("__torch__.capture_test.MetaShapes"));
        root.register_module("strided",
            convModule("Strided", {6, 3, 3, 3},
                "torch.relu(torch.conv2d(x, self.weight, None, [2, 1], [1, 2], [1, 2]))"));
        root.register_module("grouped",
            convModule("Grouped", {6, 2, 3, 3}, "torch.conv2d(x, self.weight, None, 1, 1, 1, 3)"));
        root.register_module("transposed",
            convModule("Transposed", {6, 4, 3, 3},
                "torch.conv_transpose2d(x, self.weight, None, 2, 1, 1)"));
        // (the pooling layers' weight goes unused)
        root.register_module(
            "pool", convModule("Pool", {1}, "torch.max_pool2d(x, 3, 2, 1, 1, True)"));
        root.register_module("normed",
            convModule("Normed", {4},
                "torch.hardswish(torch.hardtanh(torch.batch_norm(x, self.weight, self.weight, "
                "self.weight, self.weight * self.weight, False, 0.1, 1e-5, False), 0.0, 6.0))"));
        root.register_module(
            "adaptive", convModule("Adaptive", {1}, "torch.adaptive_avg_pool2d(x, [3, 2])"));
        root.register_module("head", convModule("Head", {7, 8}, "torch.linear(x, self.weight)"));
        root.define("def forward(self, x):\n"
                    "    y = self.pool.forward(self.transposed.forward(\n"
                    "        self.grouped.forward(self.strided.forward(x))))\n"
                    "    y = self.adaptive.forward(self.normed.forward(y))\n"
                    "    return self.head.forward(torch.cat([y, y], 1).mean([2, 3]))\n");
        const std::vector<std::string> paths = {
            "strided", "grouped", "transposed", "pool", "normed", "adaptive", "head"};
        std::map<std::string, std::string> problems;
        const CapturePlan plan = compileCaptureOfAll(root, paths, problems);
        QCOMPARE(plan.partsPerRequest.size(), paths.size());
        const auto weights = parametersOf(root);

        const auto onMeta = runCaptureOnMeta(root, plan, 17);
        QVERIFY(onMeta.has_value());
        QVERIFY(sameTensors(parametersOf(root), weights));
        const CaptureResult real = runCapture(root, plan, torch::zeros({1, 3, 17, 17}));
        for (size_t i = 0; i < paths.size(); ++i) {
            QVERIFY(onMeta->activations[i].is_meta());
            QVERIFY2(
                onMeta->activations[i].sizes() == real.activations[i].sizes(), paths[i].c_str());
        }
        QCOMPARE(onMeta->modelOutput.sizes().vec(), (std::vector<int64_t>{1, 7}));
        QVERIFY(real.activations[0].size(2) != real.activations[0].size(3));  // per-axis options
    }

    // What a meta pass cannot do is declined, so that a real forward does it (and gives its
    // error in its own words): control flow on values, a channel count or a weight type (half
    // precision for a float image) the real convolution refuses, a tensor with no meta twin
    // (quantized) found after others were swapped. The module has its real weights afterwards
    // every time.
    void metaPassDeclinesWhatNeedsDataOrFailsForReal()
    {
        torch::jit::Module valued(c10::QualifiedName("__torch__.capture_test.Valued"));
        valued.register_module("conv", convModule("ValuedConv", {4, 3, 3, 3}));
        valued.define("def forward(self, x):\n    y = self.conv.forward(x)\n"
                      "    if bool(y.mean() > 0.0):\n        y = -y\n"
                      "    return y.mean([2, 3])\n");
        torch::jit::Module gray(c10::QualifiedName("__torch__.capture_test.Gray"));
        gray.register_module("conv", convModule("GrayConv", {4, 1, 3, 3}));
        gray.define("def forward(self, x):\n    return self.conv.forward(x).mean([2, 3])\n");
        torch::jit::Module quantized(c10::QualifiedName("__torch__.capture_test.Quantized"));
        quantized.register_module("conv", convModule("QuantizedConv", {4, 3, 3, 3}));
        quantized.register_parameter("scale", torch::ones({1}), false);
        quantized.register_attribute("table", c10::TensorType::get(),
            torch::quantize_per_tensor(torch::rand({4}), 0.1, 0, torch::kQUInt8));
        quantized.define(
            "def forward(self, x):\n    return (self.conv.forward(x) * self.scale).mean([2, 3])\n");
        torch::jit::Module half(c10::QualifiedName("__torch__.capture_test.Half"));
        half.register_module("conv", convModule("HalfConv", {4, 3, 3, 3}));
        half.define("def forward(self, x):\n    return self.conv.forward(x).mean([2, 3])\n");
        half.to(torch::kHalf);
        for (auto* root : {&valued, &gray, &quantized, &half}) {
            std::map<std::string, std::string> problems;
            const CapturePlan plan = compileCaptureOfAll(*root, {"conv"}, problems);
            const auto weights = parametersOf(*root);
            QVERIFY(!runCaptureOnMeta(*root, plan, 8).has_value());
            QVERIFY(sameTensors(parametersOf(*root), weights));
        }
        std::map<std::string, std::string> problems;
        const CapturePlan plan = compileCaptureOfAll(valued, {"conv"}, problems);
        QCOMPARE(runCapture(valued, plan, torch::zeros({1, 3, 8, 8})).activations.at(0).size(1),
            int64_t(4));  // the real forward still runs
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> model_;
};

QTEST_GUILESS_MAIN(TestCapture)
#include "test_capture.moc"
