#include "core/content_hash.h"
#include "core/error.h"
#include "core/json.h"
#include "core/model_metadata.h"
#include "core/shrinking_batches.h"
#include "core/unit_id.h"

#include <QtTest>

using namespace loupe;

class TestCoreBasics : public QObject {
    Q_OBJECT
private slots:
    void unitIdParses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("layer");
        QTest::addColumn<int>("channel");
        QTest::addColumn<int>("x");
        QTest::addColumn<int>("y");
        QTest::newRow("layer") << "inception_3b"
                               << "inception_3b" << -1 << -1 << -1;
        QTest::newRow("unit") << "inception_3b:379"
                              << "inception_3b" << 379 << -1 << -1;
        QTest::newRow("nested") << "inception_3b.b5x5.conv:12"
                                << "inception_3b.b5x5.conv" << 12 << -1 << -1;
        QTest::newRow("neuron") << "mixed3b:7@3,14"
                                << "mixed3b" << 7 << 3 << 14;
    }
    void unitIdParses()
    {
        QFETCH(QString, text);
        QFETCH(QString, layer);
        QFETCH(int, channel);
        QFETCH(int, x);
        QFETCH(int, y);
        const auto id = UnitId::parse(text.toStdString());
        QCOMPARE(QString::fromStdString(id.layer), layer);
        QCOMPARE(id.channel, channel);
        QCOMPARE(id.x, x);
        QCOMPARE(id.y, y);
    }
    void unitIdRejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << "";
        QTest::newRow("no layer") << ":3";
        QTest::newRow("bad channel") << "conv1:x";
        QTest::newRow("negative") << "conv1:-2";
        QTest::newRow("position without channel") << "conv1@1,2";
        QTest::newRow("half position") << "conv1:1@4";
    }
    void unitIdRejects()
    {
        QFETCH(QString, text);
        QVERIFY_THROWS_EXCEPTION(Error, UnitId::parse(text.toStdString()));
    }
    void unitIdRoundTrips()
    {
        for (const char* text : {"a.b:3@1,2", "conv1:0", "fc"})
            QCOMPARE(UnitId::parse(text).toString(), std::string(text));
    }

    void jsonRoundTrips()
    {
        const std::string text = "{\"a\": [1, 2.5, \"x\\\"y\\n\", true, null], \"b\": {\"c\": "
                                 "-3e2}, \"u\": \"\\u00e9\"}";
        const Json doc = Json::parse(text);
        QCOMPARE(doc["a"].size(), size_t(5));
        QCOMPARE(doc["a"].toArray()[1].toNumber(), 2.5);
        QCOMPARE(doc["a"].toArray()[2].toString(), std::string("x\"y\n"));
        QCOMPARE(doc["b"]["c"].toNumber(), -300.0);
        QCOMPARE(doc["u"].toString(), std::string("\xc3\xa9"));
        QVERIFY(doc["missing"].isNull());
        const Json again = Json::parse(doc.dump(2));
        QCOMPARE(again.dump(), doc.dump());
    }
    // A file name that is not UTF-8 (Latin-1 "caf\xe9.jpg") must not make the output invalid
    // JSON: the byte is surrogate-escaped, as Python's os.fsencode reads it back, and our own
    // parser restores the original bytes. Valid UTF-8 passes through untouched.
    void jsonEscapesBytesThatAreNotUtf8()
    {
        const std::string latin1 = "caf\xe9.jpg", utf8 = "caf\xc3\xa9 \xe2\x82\xac.jpg";
        const std::string overlong = "\xc0\xaf", truncated = "\xe2\x82";
        Json doc = Json::object();
        doc["latin1"] = latin1;
        doc["utf8"] = utf8;
        doc["overlong"] = overlong;
        doc["truncated"] = truncated;
        const std::string text = doc.dump();
        QVERIFY2(text.find("caf\\udce9.jpg") != std::string::npos, text.c_str());
        QVERIFY2(text.find(utf8) != std::string::npos, text.c_str());
        QVERIFY(text.find("\\udcc0\\udcaf") != std::string::npos);
        QVERIFY(text.find("\\udce2\\udc82") != std::string::npos);
        for (unsigned char c : text)
            QVERIFY(c < 0x80 || utf8.find(char(c)) != std::string::npos);
        const Json back = Json::parse(text);
        QCOMPARE(back["latin1"].toString(), latin1);
        QCOMPARE(back["utf8"].toString(), utf8);
        QCOMPARE(back["overlong"].toString(), overlong);
        QCOMPARE(back["truncated"].toString(), truncated);
    }
    void jsonRejectsMalformed()
    {
        for (const char* bad : {"{", "[1,]", "{\"a\" 1}", "tru", "\"open", "[1] x"})
            QVERIFY_THROWS_EXCEPTION(Error, Json::parse(bad));
    }
    void jsonCopiesDoNotShareEdits()
    {
        Json a = Json::object();
        a["k"] = 1;
        Json b = a;
        b["k"] = 2;
        QCOMPARE(a["k"].toNumber(), 1.0);
        QCOMPARE(b["k"].toNumber(), 2.0);
    }

    void sha256MatchesKnownVectors()
    {
        QCOMPARE(sha256OfBytes("abc"),
            std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(sha256OfBytes(""),
            std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        const std::string million(1000000, 'a');
        QCOMPARE(sha256OfBytes(million),
            std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    void metadataReadsCaffeStyle()
    {
        const auto meta = ModelMetadata::fromJson(R"({"name": "n", "labels": ["a", "b"],
            "input": {"size": 227, "color_order": "BGR", "range": [0, 255], "mean": [104, 117, 123], "std": [1, 1, 1]},
            "layer_aliases": {"mixed3b": "inception_3b"}})");
        QCOMPARE(meta.input.size, 227);
        QVERIFY(meta.input.bgr);
        QCOMPARE(meta.input.rangeMax, 255.f);
        QCOMPARE(meta.input.mean[2], 123.f);
        QCOMPARE(meta.layerAliases.at("mixed3b"), std::string("inception_3b"));
        QCOMPARE(meta.labels.size(), size_t(2));
        const auto again = ModelMetadata::fromJson(meta.toJson().dump());
        QCOMPARE(again.input.mean[0], 104.f);
        QVERIFY(again.input.bgr);
    }
    void metadataRejectsNonsense_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("field");  // the message names it
        QTest::newRow("not an object") << "[]"
                                       << "top level";
        QTest::newRow("colour order") << R"({"input": {"color_order": "RGBA"}})"
                                      << "color_order";
        QTest::newRow("zero std") << R"({"input": {"std": [1, 0, 1]}})"
                                  << "input.std";
        QTest::newRow("tiny size") << R"({"input": {"size": 2}})"
                                   << "input.size";
        QTest::newRow("fractional size") << R"({"input": {"size": 224.5}})"
                                         << "input.size";
        QTest::newRow("reversed range") << R"({"input": {"range": [1, 0]}})"
                                        << "input.range";
        QTest::newRow("syntax") << "{oops"
                                << "loupe.json";
        QTest::newRow("infinite mean") << R"({"input": {"mean": [1e999, 0, 0]}})"
                                       << "input.mean[0]";
        QTest::newRow("text mean") << R"({"input": {"mean": [0, "a", 0]}})"
                                   << "input.mean[1]";
        QTest::newRow("text std") << R"({"input": {"std": [1, 1, "x"]}})"
                                  << "input.std[2]";
        QTest::newRow("text range") << R"({"input": {"range": ["0", 1]}})"
                                    << "input.range[0]";
        QTest::newRow("text size") << R"({"input": {"size": "224"}})"
                                   << "input.size";
        QTest::newRow("number label") << R"({"labels": ["a", 7, "c"]})"
                                      << "labels[1]";
        QTest::newRow("labels not a list") << R"({"labels": "a,b"})"
                                           << "labels";
        QTest::newRow("name not text") << R"({"name": 3})"
                                       << "name";
        QTest::newRow("alias not text") << R"({"layer_aliases": {"m": 1}})"
                                        << "layer_aliases.m";
        QTest::newRow("input not an object") << R"({"input": 224})"
                                             << "input";
    }
    void metadataRejectsNonsense()
    {
        QFETCH(QString, json);
        QFETCH(QString, field);
        try {
            ModelMetadata::fromJson(json.toStdString());
            QFAIL("accepted");
        } catch (const Error& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(field), e.what());
        }
    }

    // Torch messages are cut to the line a user can act on.
    void torchMessagesAreShortened()
    {
        QCOMPARE(loupe::firstLine("shape mismatch\nException raised from foo at bar.cpp:12 (most "
                                  "recent call first):\n..."),
            std::string("shape mismatch"));
        const std::string script =
            "The following operation failed in the TorchScript interpreter.\n"
            "Traceback of TorchScript, serialized code (most recent call last):\n"
            "  File \"code/__torch__.py\", line 34, in forward\n"
            "    x2 = (pool5).forward(_1, )\n"
            "RuntimeError: Given input size: (256x1x1). Calculated output size: (256x0x0). Output "
            "size is too small\n";
        QCOMPARE(loupe::firstLine(script),
            std::string("RuntimeError: Given input size: (256x1x1). Calculated output size: "
                        "(256x0x0). Output size is too small"));
    }

    // What every batched device job does on out-of-memory: retry the chunk at half size,
    // remember the size that fitted, cover every item exactly once, in order.
    void shrinkingBatchesRetryOutOfMemoryAndCoverEverything()
    {
        std::vector<int> seen;
        int batch = 8;
        loupe::forEachShrinkingBatch(11, batch, [&](int start, int count) {
            if (count > 3)
                throw std::runtime_error("CUDA out of memory. Tried to allocate 2.00 GiB");
            for (int i = start; i < start + count; ++i)
                seen.push_back(i);
        });
        QCOMPARE(batch, 2);
        QCOMPARE(int(seen.size()), 11);
        for (int i = 0; i < 11; ++i)
            QCOMPARE(seen[size_t(i)], i);
        QVERIFY(!loupe::isOutOfMemory(std::runtime_error("shape mismatch")));
        // Other errors, and out-of-memory of a single item, are the caller's to report.
        int big = 4;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
            loupe::forEachShrinkingBatch(
                4, big, [](int, int) { throw std::runtime_error("shape mismatch"); }));
        QCOMPARE(big, 4);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
            loupe::forEachShrinkingBatch(
                4, big, [](int, int) { throw std::runtime_error("out of memory"); }));
        QCOMPARE(big, 1);
    }
};

QTEST_GUILESS_MAIN(TestCoreBasics)
#include "test_core_basics.moc"
