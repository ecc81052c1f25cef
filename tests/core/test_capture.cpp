#include <torch/script.h>

#include "core/device.h"
#include "core/error.h"
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

// A scripted module of type capture_test.`name` whose forward is one bias-free convolution
// with random weights of `weightShape`.
torch::jit::Module convModule(const std::string& name, std::vector<int64_t> weightShape)
{
    torch::jit::Module conv(c10::QualifiedName("__torch__.capture_test." + name));
    conv.register_parameter("weight", torch::randn(weightShape), false);
    conv.define("def forward(self, x):\n    return torch.conv2d(x, self.weight)\n");
    return conv;
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

private:
    QTemporaryDir dir_;
    std::unique_ptr<Model> model_;
};

QTEST_GUILESS_MAIN(TestCapture)
#include "test_capture.moc"
