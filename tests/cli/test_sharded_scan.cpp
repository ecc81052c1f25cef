// Sharded scans through loupe-cli as a cluster runs them: `mpirun -np 2|3 loupe-cli scan`,
// a rank killed mid-scan and the job started again with another rank count, and shard files
// of `--shard I/N` runs merged in any order — each must give the workspace of one plain scan.
#include "core/dataset_scan.h"
#include "core/image_io.h"
#include "core/synthetic_shapes.h"
#include "core/scan_shards.h"
#include "core/workspace.h"
#include "tests/support/test_models.h"
#include "tests/support/test_paths.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace loupe;

namespace {

struct Run {
    int exitCode = -1;
    QJsonObject json;
    QString err;
};

Run finish(QProcess& p)
{
    p.waitForFinished(300000);
    return {p.exitCode(), QJsonDocument::fromJson(p.readAllStandardOutput()).object(),
        QString::fromUtf8(p.readAllStandardError()).trimmed()};
}

Run run(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    return finish(p);
}

QStringList mpirun(int ranks)
{
    // CI runs as root on two cores: both flags are needed there and harmless elsewhere.
    return {
        "--oversubscribe", "--allow-run-as-root", "-np", QString::number(ranks), test::cliPath()};
}

// Same images, counts, histograms and top/bottom-k; moments within float tolerance;
// reservoirs of the same size over the same count (their draws follow the merge rule).
void verifySameScan(const std::string& fileA, const std::string& fileB)
{
    const ScanResults a = loadScan(*Workspace::openExisting(fileA));
    const ScanResults b = loadScan(*Workspace::openExisting(fileB));
    QCOMPARE(a.images, b.images);
    QCOMPARE(a.layerOrder, b.layerOrder);
    for (const auto& layer : a.layerOrder)
        for (size_t c = 0; c < a.layers.at(layer).size(); ++c) {
            const auto& x = a.layers.at(layer)[c];
            const auto& y = b.layers.at(layer)[c];
            QCOMPARE(x.count, y.count);
            QVERIFY(x.histogram.counts() == y.histogram.counts());
            QVERIFY(std::abs(x.sum - y.sum) <= 1e-6 * std::max(1.0, std::abs(x.sum)));
            const auto tx = x.top.sorted(), ty = y.top.sorted();
            const auto bx = x.bottom.sorted(), by = y.bottom.sorted();
            QCOMPARE(tx.size(), ty.size());
            for (size_t i = 0; i < tx.size(); ++i) {
                QCOMPARE(tx[i].image, ty[i].image);
                QCOMPARE(tx[i].value, ty[i].value);
                QCOMPARE(bx[i].image, by[i].image);
            }
            QCOMPARE(x.reservoir.seen(), y.reservoir.seen());
            QCOMPARE(x.reservoir.items().size(), y.reservoir.items().size());
        }
}

// The pid of the loupe-cli rank `rank` whose command line mentions `marker`, or 0.
qint64 rankPid(int rank, const QString& marker)
{
    for (const auto& entry : QDir("/proc").entryList(QDir::Dirs)) {
        bool number = false;
        const qint64 pid = entry.toLongLong(&number);
        if (!number)
            continue;
        QFile cmdline("/proc/" + entry + "/cmdline"), environ("/proc/" + entry + "/environ");
        if (!cmdline.open(QIODevice::ReadOnly) || !environ.open(QIODevice::ReadOnly))
            continue;
        const QByteArray command = cmdline.readAll();
        if (!command.contains("loupe-cli") || !command.contains(marker.toUtf8()))
            continue;
        for (const auto& variable : environ.readAll().split('\0'))
            if (variable == "OMPI_COMM_WORLD_RANK=" + QByteArray::number(rank))
                return pid;
    }
    return 0;
}

int imagesIn(const std::string& shardFile)
{
    try {
        return int(loadScan(*Workspace::openExisting(shardFile)).images.size());
    } catch (const std::exception&) {
        return 0;  // not written yet, or mid-transaction
    }
}

}  // namespace

class TestShardedScan : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        model_ = QString::fromStdString(test::writeBranchyCnn(dir_.path().toStdString()));
        QVERIFY(QDir(dir_.path()).mkpath("photos/a"));
        QVERIFY(QDir(dir_.path()).mkpath("photos/b"));
        SeededRandom rng(7);
        for (int i = 0; i < kImages; ++i) {
            RgbImage image(40, 40);
            for (auto& p : image.pixels)
                p = std::uint8_t(rng.uniform() * 255);
            saveImage(image,
                dir_.filePath(QString("photos/%1/img%2.png")
                                  .arg(i % 2 ? "a" : "b")
                                  .arg(i, 3, 10, QChar('0')))
                    .toStdString());
        }
        QFile broken(dir_.filePath("photos/a/broken.png"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a png");
        photos_ = dir_.filePath("photos");
        single_ = dir_.filePath("single.sqlite");
        // Every scan here runs batches of one image: a convolution's rounding may depend on the
        // batch size (kernels are picked by shape), which could move a value across a
        // histogram bin edge; with one image per forward, what is compared is the merge alone.
        const Run r = run(test::cliPath(),
            {"scan", "--model", model_, "--images", photos_, "--layers", "block,head",
                "--workspace", single_, "--batch", "1", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["scanned_now"].toInt(), kImages);

        const Run help = run(test::cliPath(), {"--help"});
        mpi_ = help.exitCode == 0 && !QStandardPaths::findExecutable("mpirun").isEmpty();
        QProcess usage;
        usage.start(test::cliPath(), {"--help"});
        usage.waitForFinished();
        mpi_ = mpi_ && usage.readAllStandardOutput().contains("MPI (mpirun");
    }

    void shardFilesMergeInAnyOrder()
    {
        QStringList files;
        for (int s = 0; s < 3; ++s) {
            const Run r = run(test::cliPath(),
                {"scan", "--model", model_, "--images", photos_, "--layers", "block,head",
                    "--shard", QString("%1/3").arg(s), "--shards-dir", dir_.filePath("manual"),
                    "--batch", "1", "--quiet"});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            files << r.json["shard_file"].toString();
        }
        const QString forward = dir_.filePath("forward.sqlite"),
                      backward = dir_.filePath("backward.sqlite");
        Run r = run(
            test::cliPath(), QStringList{"merge"} + files + QStringList{"--workspace", forward});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json["images"].toInt(), kImages);
        QCOMPARE(r.json["skipped"].toArray().size(), 1);  // broken.png, listed once
        QCOMPARE(r.json["missing_images"].toInt(), 0);
        r = run(test::cliPath(), {"merge", files[2], files[0], files[1], "--workspace", backward});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        verifySameScan(single_.toStdString(), forward.toStdString());
        verifySameScan(forward.toStdString(), backward.toStdString());

        // A shard of another layer set is refused, and says which file.
        r = run(test::cliPath(),
            {"scan", "--model", model_, "--images", photos_, "--layers", "block", "--shard", "0/2",
                "--shards-dir", dir_.filePath("other"), "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = run(test::cliPath(),
            {"merge", files[0], r.json["shard_file"].toString(), "--workspace",
                dir_.filePath("refused.sqlite")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("other layers"), qPrintable(r.err));
        r = run(test::cliPath(),
            {"scan", "--model", model_, "--images", photos_, "--layers", "block", "--shard",
                "3/3"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("--shard"), qPrintable(r.err));
    }

    void mpiRanksGiveTheScanOfOneProcess()
    {
        if (!mpi_)
            QSKIP("mpirun or an MPI build of loupe-cli is missing (packaging/install-deps.sh "
                  "installs Open MPI)");
        for (int ranks : {2, 3}) {
            const QString workspace = dir_.filePath(QString("mpi%1.sqlite").arg(ranks));
            const Run r = run("mpirun",
                mpirun(ranks) +
                    QStringList{"scan", "--model", model_, "--images", photos_, "--layers",
                        "block,head", "--workspace", workspace, "--batch", "1", "--quiet"});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QCOMPARE(r.json["ranks"].toInt(), ranks);
            QCOMPARE(r.json["images"].toInt(), kImages);
            QCOMPARE(r.json["skipped"].toArray().size(), 1);
            verifySameScan(single_.toStdString(), workspace.toStdString());
        }
    }

    void aKilledRankLosesAtMostOneCheckpoint()
    {
        if (!mpi_)
            QSKIP("mpirun or an MPI build of loupe-cli is missing");
        const QString workspace = dir_.filePath("killed.sqlite");
        const std::string shard1 =
            (workspace + ".shards/" + QString::fromStdString(shardFileName(1, 2))).toStdString();
        QProcess job;
        // One image per batch and a checkpoint after each: the rank is killed long before its
        // shard is done.
        job.start("mpirun",
            mpirun(2) +
                QStringList{"scan", "--model", model_, "--images", photos_, "--layers",
                    "block,head", "--workspace", workspace, "--batch", "1", "--checkpoint-every",
                    "1", "--threads", "1", "--quiet"});
        QVERIFY(job.waitForStarted());
        QElapsedTimer clock;
        clock.start();
        while (imagesIn(shard1) < 2 && clock.elapsed() < 120000 && job.state() == QProcess::Running)
            QThread::msleep(5);
        const qint64 pid = rankPid(1, workspace);
        QVERIFY2(pid > 0, "rank 1 not found");
        ::kill(pid_t(pid), SIGKILL);
        const Run killed = finish(job);
        QVERIFY(killed.exitCode != 0);
        const int kept = imagesIn(shard1);
        QVERIFY2(kept > 0 && kept < kImages / 2, qPrintable(QString::number(kept)));

        // Started again with three ranks: the two-rank files' images are not scanned again.
        const Run again = run("mpirun",
            mpirun(3) +
                QStringList{"scan", "--model", model_, "--images", photos_, "--layers",
                    "block,head", "--workspace", workspace, "--batch", "1", "--quiet"});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QVERIFY(again.json["scanned_now"].toInt() <= kImages - kept);
        QCOMPARE(again.json["images"].toInt(), kImages);
        verifySameScan(single_.toStdString(), workspace.toStdString());
    }

private:
    static constexpr int kImages = 360;  // 180 per rank: a kill lands mid-shard
    QTemporaryDir dir_;
    QString model_, photos_, single_;
    bool mpi_ = false;
};

QTEST_GUILESS_MAIN(TestShardedScan)
#include "test_sharded_scan.moc"
