#include "core/content_hash.h"
#include "core/device.h"
#include "core/error.h"
#include "core/file_hash_memo.h"
#include "core/model_facts.h"
#include "core/workspace.h"
#include "core/model.h"
#include "tests/support/test_models.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <thread>

#include <dlfcn.h>

using namespace loupe;

namespace {

std::string writeBytes(const QTemporaryDir& dir, const char* name, const std::string& bytes)
{
    const std::string path = dir.filePath(name).toStdString();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

QString errorOf(const std::string& path)
{
    try {
        Model::load(path, DevicePreference::Cpu);
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestModelLoading : public QObject {
    Q_OBJECT
private slots:
    // OpenBLAS's own pool stays at one thread (its spinning slowed LibTorch's OpenMP ops) except
    // inside a ParallelBlasScope, and each scope gives back the count it found.
    void blasKeepsOneThreadOutsideLargeProducts()
    {
        using GetThreads = int (*)();
        const auto get =
            reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
        if (!get)
            QSKIP("the BLAS in use is not OpenBLAS: nothing to configure");
        configureTorchThreads(2);
        QCOMPARE(get(), 1);
        {
            const ParallelBlasScope largeProducts;
            const bool twoCores = std::thread::hardware_concurrency() >= 2;  // OpenBLAS caps it
            if (twoCores)
                QCOMPARE(get(), 2);
            {
                const ParallelBlasScope nested;
            }
            if (twoCores)
                QCOMPARE(get(), 2);  // the inner scope gave back what it found
        }
        QCOMPARE(get(), 1);
    }

    void initTestCase() { QVERIFY(dir_.isValid()); }

    void listsLayersWithShapes()
    {
        ModelOpenTimings spent;
        const auto model = Model::load(
            test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu, {}, &spent);
        QVERIFY(spent.shapesFromMetaPass);  // the shapes below come from the meta pass
        QCOMPARE(model->displayName(), std::string("Branchy test CNN"));
        QCOMPARE(model->numClasses(), 3);
        QCOMPARE(model->metadata().input.size, 32);
        QCOMPARE(model->hash().size(), size_t(64));

        const auto shape = [&](const char* path) { return model->layer(path).shape; };
        using Shape = std::vector<std::int64_t>;
        QCOMPARE(shape("conv1"), (Shape{4, 32, 32}));
        QCOMPARE(shape("conv1.conv"), (Shape{4, 32, 32}));
        QCOMPARE(shape("block"), (Shape{8, 32, 32}));
        QCOMPARE(shape("block.b2.conv"), (Shape{5, 32, 32}));
        QCOMPARE(shape("pool"), (Shape{8, 16, 16}));
        QCOMPARE(shape("head"), (Shape{3}));
        QCOMPARE(model->layer("block.b2").type, std::string("ConvReLU"));
        QCOMPARE(model->layer("block.b2.conv").parameters, std::int64_t(5 * 4 * 9 + 5));
        QCOMPARE(model->layer("block").parameters, std::int64_t(3 * 4 + 3 + 5 * 4 * 9 + 5));
        for (const auto& layer : model->layers())
            QVERIFY2(layer.addressable, layer.note.c_str());
    }

    void aliasesResolveToPaths()
    {
        const auto model =
            Model::load(test::writeBranchyCnn(dir_.path().toStdString()), DevicePreference::Cpu);
        QCOMPARE(model->layer("mixed").path, std::string("block"));
        QCOMPARE(model->layer("block").alias, std::string("mixed"));
        QCOMPARE(model->classLabel(1), std::string("one"));
        QVERIFY_THROWS_EXCEPTION(Error, model->layer("nope"));
    }

    void defaultsWithoutMetadata()
    {
        const auto model = Model::load(
            test::writeBranchyCnn(dir_.path().toStdString(), false), DevicePreference::Cpu);
        QVERIFY(!model->metadata().fromFile);
        QCOMPARE(model->metadata().input.size, 224);
        QCOMPARE(model->layer("pool").shape, (std::vector<std::int64_t>{8, 112, 112}));
        QCOMPARE(model->classLabel(2), std::string("class 2"));
    }

    void sameBytesSameHash()
    {
        const std::string a = test::writeBranchyCnn(dir_.path().toStdString(), true, 5);
        const std::string copy = writeBytes(dir_, "copy.pt", readBytes(a));
        QCOMPARE(Model::load(copy, DevicePreference::Cpu)->hash(),
            Model::load(a, DevicePreference::Cpu)->hash());
    }

    void badFilesGiveClearErrors()
    {
        const std::string good = readBytes(test::writeBranchyCnn(dir_.path().toStdString()));
        QVERIFY(errorOf(dir_.filePath("absent.pt").toStdString()).contains("does not exist"));
        QVERIFY(errorOf(writeBytes(dir_, "empty.pt", "")).contains("empty"));
        QVERIFY(errorOf(writeBytes(dir_, "text.pt", "this is not a model"))
                    .contains("not a readable TorchScript model"));
        QVERIFY(errorOf(writeBytes(dir_, "truncated.pt", good.substr(0, good.size() / 2)))
                    .contains("not a readable TorchScript model"));
        QVERIFY(errorOf(dir_.path().toStdString()).contains("not a file"));
    }

    void labelCountMustMatchTheClasses_data()
    {
        QTest::addColumn<QString>("labels");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("three for three") << R"(["a", "b", "c"])" << true;
        QTest::newRow("two for three") << R"(["a", "b"])" << false;
        QTest::newRow("four for three") << R"(["a", "b", "c", "d"])" << false;
        QTest::newRow("none") << "[]" << true;
    }
    void labelCountMustMatchTheClasses()
    {
        QFETCH(QString, labels);
        QFETCH(bool, accepted);
        const std::string json = R"({"labels": )" + labels.toStdString() + "}";
        const std::string path = test::writeBranchyCnnWithMetadata(
            dir_.path().toStdString(), QTest::currentDataTag(), json);
        const QString message = errorOf(path);
        if (accepted)
            QVERIFY2(message.isEmpty(), qPrintable(message));
        else
            QVERIFY2(message.contains("labels") && message.contains("3 output classes"),
                qPrintable(message));
    }

    // A reopen reads the hash from the memo and the layer facts from the workspace, and gets
    // the same model description as a first open.
    void aReopenReusesTheHashAndTheLayerFacts()
    {
        QTemporaryDir data;
        const std::string path = test::writeBranchyCnn(dir_.path().toStdString());
        const ModelOpenOptions options{data.path().toStdString()};
        ModelOpenTimings first, second;
        const auto a = Model::load(path, DevicePreference::Cpu, options, &first);
        const auto b = Model::load(path, DevicePreference::Cpu, options, &second);
        QVERIFY(!first.hashMemoised && !first.factsFromWorkspace);
        QVERIFY(second.hashMemoised && second.factsFromWorkspace);
        QCOMPARE(b->hash(), a->hash());
        QCOMPARE(b->hash(), sha256OfFile(path));
        QCOMPARE(b->numClasses(), a->numClasses());
        QCOMPARE(b->layers().size(), a->layers().size());
        for (size_t i = 0; i < a->layers().size(); ++i) {
            QCOMPARE(b->layers()[i].path, a->layers()[i].path);
            QCOMPARE(b->layers()[i].shape, a->layers()[i].shape);
            QCOMPARE(b->layers()[i].addressable, a->layers()[i].addressable);
            QCOMPARE(b->layers()[i].alias, a->layers()[i].alias);
        }
        // Damaged facts are learnt again, and replaced.
        {
            auto ws = Workspace::open(
                Workspace::fileForModel(data.path().toStdString(), a->hash()), a->hash());
            ws->put(kModelFactsKind, kModelFactsKey, "garbage");
        }
        ModelOpenTimings third;
        const auto c = Model::load(path, DevicePreference::Cpu, options, &third);
        QVERIFY(!third.factsFromWorkspace);
        QCOMPARE(c->layer("block").shape, a->layer("block").shape);
        ModelOpenTimings fourth;
        Model::load(path, DevicePreference::Cpu, options, &fourth);
        QVERIFY(fourth.factsFromWorkspace);
    }

    void theHashMemoNoticesAChangedFile()
    {
        QTemporaryDir data;
        const std::string memo = fileHashMemoPath(data.path().toStdString());
        const std::string file = data.filePath("weights.bin").toStdString();
        std::ofstream(file) << "first version";
        bool fromMemo = true;
        const std::string h1 = memoisedFileHash(file, memo, &fromMemo);
        QVERIFY(!fromMemo);
        QCOMPARE(h1, sha256OfBytes("first version"));
        QCOMPARE(memoisedFileHash(file, memo, &fromMemo), h1);
        QVERIFY(fromMemo);
        std::ofstream(file) << "second, longer version";
        QCOMPARE(memoisedFileHash(file, memo, &fromMemo), sha256OfBytes("second, longer version"));
        QVERIFY(!fromMemo);
        // A damaged memo is only a lost shortcut.
        std::ofstream(memo) << "{not json";
        QCOMPARE(memoisedFileHash(file, memo, &fromMemo), sha256OfBytes("second, longer version"));
        QVERIFY(!fromMemo);
        QCOMPARE(memoisedFileHash(file, memo, &fromMemo), sha256OfBytes("second, longer version"));
        QVERIFY(fromMemo);
    }

    void nonImageModuleIsRefused()
    {
        const QString message = errorOf(test::writeNonImageModule(dir_.path().toStdString()));
        QVERIFY2(message.contains("not an image CNN"), qPrintable(message));
    }

private:
    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestModelLoading)
#include "test_model_loading.moc"
