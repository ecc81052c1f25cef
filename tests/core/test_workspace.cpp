#include "core/error.h"
#include "core/workspace.h"
#include "core/atomic_file.h"
#include "core/image_io.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <functional>
#include <csignal>
#include <thread>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace loupe;

namespace {

// Lowers this process's file-size limit for its lifetime: writes past it fail with EFBIG, as
// they would on a full disk (SIGXFSZ ignored, so the write returns an error instead).
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        std::signal(SIGXFSZ, SIG_IGN);
        getrlimit(RLIMIT_FSIZE, &saved_);
        rlimit lowered = saved_;
        lowered.rlim_cur = bytes;
        setrlimit(RLIMIT_FSIZE, &lowered);
    }
    ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &saved_); }

private:
    rlimit saved_{};
};

}  // namespace

class TestWorkspace : public QObject {
    Q_OBJECT
private slots:
    void storesAndReadsBack()
    {
        QTemporaryDir dir;
        const std::string file =
            Workspace::fileForModel(dir.path().toStdString(), std::string(64, 'a'));
        {
            auto ws = Workspace::open(file, std::string(64, 'a'));
            ws->put("featurevis", "conv1:3|size=128", std::string("\0binary\xff", 8),
                R"({"size":128})");
            QCOMPARE(ws->count("featurevis"), 1);
        }
        auto ws = Workspace::open(file, std::string(64, 'a'));
        QCOMPARE(*ws->get("featurevis", "conv1:3|size=128"), std::string("\0binary\xff", 8));
        QVERIFY(!ws->get("featurevis", "conv1:4|size=128"));
        QVERIFY(ws->remove("featurevis", "conv1:3|size=128"));
        QCOMPARE(ws->count("featurevis"), 0);
    }

    void failedTransactionLeavesNothing()
    {
        QTemporaryDir dir;
        auto ws = Workspace::open(dir.filePath("w.sqlite").toStdString(), "h");
        try {
            ws->transaction([&] {
                ws->put("k", "a", "1");
                ws->put("k", "b", "2");
                throw Error("job failed half way");
            });
        } catch (const Error&) {
        }
        QCOMPARE(ws->count("k"), 0);
    }

    // A full disk, simulated by a file-size limit (writes past it fail with EFBIG): the failed
    // write reports SQLite's cause (never "cannot rollback - no transaction is active"), what
    // was stored before survives, and a cache write is best effort.
    void fullDiskReportsTheCauseAndKeepsEarlierData()
    {
        QTemporaryDir dir;
        auto ws = Workspace::open(dir.filePath("w.sqlite").toStdString(), "h");
        ws->put("k", "before", "kept");
        const std::string big(4 << 20, 'z');
        std::string message;
        {
            FileSizeLimit limit(256 * 1024);
            try {
                ws->transaction([&] {
                    ws->put("k", "a", big);
                    ws->put("k", "b", big);
                });
            } catch (const Error& e) {
                message = e.what();
            }
            QVERIFY(!ws->cacheBestEffort([&] { ws->put("k", "cache", big); }));
        }
        QVERIFY2(!message.empty(), "the write past the limit succeeded");
        QVERIFY2(message.find("no transaction is active") == std::string::npos, message.c_str());
        QVERIFY2(message.find("disk") != std::string::npos,
            message.c_str());  // "disk I/O error" / "disk is full"
        QVERIFY2(ws->cacheProblem().find("disk") != std::string::npos, ws->cacheProblem().c_str());
        QCOMPARE(*ws->get("k", "before"), std::string("kept"));
        QVERIFY(!ws->get("k", "a"));
        ws->put("k", "after", "fine");  // the workspace still works once there is room
        QCOMPARE(*ws->get("k", "after"), std::string("fine"));
        QVERIFY(ws->integrityOk());
    }

    // Output files on a full disk: the error names the cause, and neither the file nor its
    // temporary is left half written.
    void fullDiskFileWritesSayWhyAndLeaveNothing()
    {
        QTemporaryDir dir;
        const std::string npy = dir.filePath("map.npy").toStdString(),
                          png = dir.filePath("figure.png").toStdString();
        RgbImage noise(600, 600);
        for (size_t i = 0; i < noise.pixels.size(); ++i)
            noise.pixels[i] = std::uint8_t((i * 2654435761u) >> 24);
        FileSizeLimit limit(16 * 1024);
        for (const auto& write : std::vector<std::function<void()>>{
                 [&] { writeFileAtomically(npy, std::string(1 << 20, 'x')); },
                 [&] { saveImage(noise, png); }}) {
            try {
                write();
                QFAIL("a write past the limit succeeded");
            } catch (const Error& e) {
                QVERIFY2(QString::fromUtf8(e.what()).contains("File too large"), e.what());
            }
        }
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 0);
    }

    // A workspace that cannot be set up (no room for its first pages) is removed again, not
    // left behind as a 0-byte database.
    void workspaceThatCannotBeCreatedLeavesNoFile()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("new.sqlite");
        {
            FileSizeLimit limit(0);
            QVERIFY_THROWS_EXCEPTION(Error, Workspace::open(file.toStdString(), "h"));
        }
        QVERIFY2(!QFile::exists(file), "a broken workspace file was left behind");
        QVERIFY(!QFile::exists(file + "-wal"));
    }

    // Worker threads share one workspace: a write from another thread never joins (and is
    // never rolled back with) a transaction in progress.
    void anotherThreadsWriteSurvivesARolledBackTransaction()
    {
        QTemporaryDir dir;
        auto ws = Workspace::open(dir.filePath("w.sqlite").toStdString(), "hash");
        std::atomic<bool> inside{false};
        std::thread writer([&] {
            while (!inside)
                std::this_thread::yield();
            ws->put("kind", "other-thread", "kept");
        });
        try {
            ws->transaction([&] {
                ws->put("kind", "doomed", "x");
                inside = true;
                std::this_thread::sleep_for(
                    std::chrono::milliseconds(100));  // the writer tries now
                throw Error("fails");
            });
        } catch (const Error&) {
        }
        writer.join();
        QVERIFY(!ws->get("kind", "doomed"));
        QCOMPARE(ws->get("kind", "other-thread").value_or(""), std::string("kept"));
    }

    void refusesAnotherModelsFile()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("w.sqlite").toStdString();
        Workspace::open(file, "model-a");
        QVERIFY_THROWS_EXCEPTION(Error, Workspace::open(file, "model-b"));
    }

    // Pages overwritten on disk: every stored entry is either read back intact or refused as
    // damaged; none reads as "nothing stored" (which made a scan start over on top of it).
    void damagedPagesAreReportedNotMistakenForMissingEntries()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("w.sqlite").toStdString();
        const std::string payload(3000, 'x');
        {
            auto ws = Workspace::open(file, "m");
            for (int i = 0; i < 200; ++i)
                ws->put("kind", "key" + std::to_string(i), payload + std::to_string(i));
        }  // closing checkpoints the WAL into the main file
        {
            QFile f(QString::fromStdString(file));
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.size() > 40 * 4096);
            for (qint64 page = 3; page < f.size() / 4096;
                 page += 7) {  // damage every 7th page's header
                f.seek(page * 4096);
                f.write(QByteArray(64, '\xA5'));
            }
        }
        int intact = 0, refused = 0;
        try {
            auto ws = Workspace::open(file, "m");
            for (int i = 0; i < 200; ++i) {
                try {
                    const auto data = ws->get("kind", "key" + std::to_string(i));
                    QVERIFY2(data.has_value(), "a stored entry read as missing");
                    QCOMPARE(*data, payload + std::to_string(i));
                    ++intact;
                } catch (const Error& e) {
                    QVERIFY2(QString::fromUtf8(e.what()).contains("is damaged"), e.what());
                    ++refused;
                }
            }
        } catch (const Error& e) {
            // Damage in the schema pages refuses the whole file, also with the reason.
            QVERIFY2(QString::fromUtf8(e.what()).contains("malformed") ||
                    QString::fromUtf8(e.what()).contains("damaged"),
                e.what());
            return;
        }
        QVERIFY(refused > 0);
    }

    void garbageFileIsAnErrorNotACrash()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("junk.sqlite");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
        f.close();
        QVERIFY_THROWS_EXCEPTION(Error, Workspace::open(path.toStdString(), "m"));
    }

    void killedWriterLeavesAConsistentFile()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("w.sqlite").toStdString();
        Workspace::open(file, "m");
        const pid_t child = fork();
        if (child == 0) {
            auto ws = Workspace::open(file, "m");
            const std::string blob(64 * 1024, 'z');
            for (int i = 0;; ++i)
                ws->transaction([&] {
                    for (int j = 0; j < 8; ++j)
                        ws->put("batch", std::to_string(i) + ":" + std::to_string(j), blob);
                });
        }
        QVERIFY(child > 0);
        QThread::msleep(400);
        kill(child, SIGKILL);
        waitpid(child, nullptr, 0);

        auto ws = Workspace::open(file, "m");
        QVERIFY(ws->integrityOk());
        const int stored = ws->count("batch");
        QVERIFY2(stored > 0, "the child wrote nothing before it was killed");
        QCOMPARE(stored % 8, 0);  // whole transactions only
    }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "test_workspace.moc"
