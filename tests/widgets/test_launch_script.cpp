// Scripted runs of the real `loupe` executable (--screenshot): whatever goes wrong, they end
// with a screenshot and the error on stderr, never behind a modal dialog nobody can close.
#include "core/image_io.h"
#include "tests/support/test_models.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
    bool finished = false;
    int exitCode = -1;
    QString err;
};

Run runLoupe(const QTemporaryDir& home, const QStringList& args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("LOUPE_NO_DIALOGS"));  // the point: dialogs would be allowed
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("LOUPE_DATA_DIR"), home.filePath(QStringLiteral("data")));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(LOUPE_GUI_PATH), args);
    // The launch script's watchdog is 300 s: finishing well before it means nothing blocked.
    Run r;
    r.finished = p.waitForFinished(150000);
    if (!r.finished)
        p.kill();
    r.exitCode = p.exitCode();
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

}  // namespace

class TestLaunchScript : public QObject {
    Q_OBJECT
private slots:
    // On a server or over ssh there is no display: help must still print, not abort.
    void helpPrintsWithoutADisplay()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
            env.remove(QString::fromLatin1(name));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(LOUPE_GUI_PATH), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QByteArray out = p.readAllStandardOutput();
        QVERIFY2(out.contains("--screenshot") && out.contains("--style-photo"), out.constData());
    }

    void errorsNeverBlockAScreenshot_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("expected");  // on stderr
        QTest::newRow("broken model") << "model"
                                      << "cannot open the model";
        QTest::newRow("truncated image") << "image"
                                         << "truncated JPEG";
    }

    void errorsNeverBlockAScreenshot()
    {
        QFETCH(QString, what);
        QFETCH(QString, expected);
        QTemporaryDir home;
        const QString screenshot = home.filePath(QStringLiteral("shot.png"));
        QStringList args{QStringLiteral("--screenshot"), screenshot};
        if (what == QLatin1String("model")) {
            QFile broken(home.filePath(QStringLiteral("broken.pt")));
            QVERIFY(broken.open(QIODevice::WriteOnly));
            broken.write("this is not a TorchScript archive");
            broken.close();
            args << broken.fileName();
        } else {
            const std::string model = loupe::test::writeBranchyCnn(home.path().toStdString());
            const QString photo = home.filePath(QStringLiteral("photo.jpg"));
            loupe::saveImage(loupe::RgbImage(64, 64), photo.toStdString());
            QFile whole(photo);
            QVERIFY(whole.open(QIODevice::ReadOnly));
            const QByteArray bytes = whole.readAll();
            QFile cut(home.filePath(QStringLiteral("cut.jpg")));
            QVERIFY(cut.open(QIODevice::WriteOnly));
            cut.write(bytes.left(bytes.size() / 2));
            cut.close();
            args << QStringLiteral("--image") << cut.fileName() << QString::fromStdString(model);
        }
        const Run run = runLoupe(home, args);
        QVERIFY2(run.finished, "loupe did not finish: a modal dialog is waiting?");
        QVERIFY2(run.err.contains(expected, Qt::CaseInsensitive), qPrintable(run.err));
        QVERIFY2(QFileInfo(screenshot).size() > 0, qPrintable(run.err));
        QVERIFY2(!run.err.contains(QLatin1String("timed out")), qPrintable(run.err));
    }

    // Out of time: the screenshot of what is there is still written, the exit status is 1 and
    // the message says jobs were still running (here a style transfer of a million steps).
    void aTimedOutScreenshotStillSavesWhatIsThere()
    {
        QTemporaryDir home;
        const QString screenshot = home.filePath(QStringLiteral("shot.png"));
        const std::string model = loupe::test::writeBranchyCnn(home.path().toStdString());
        const QString photo = home.filePath(QStringLiteral("photo.png"));
        loupe::saveImage(loupe::RgbImage(64, 64), photo.toStdString());
        const Run run = runLoupe(home,
            {QStringLiteral("--screenshot"), screenshot, QStringLiteral("--screenshot-timeout"),
                QStringLiteral("3"), QStringLiteral("--image"), photo,
                QStringLiteral("--style-photo"), photo, QStringLiteral("--steps"),
                QStringLiteral("1000000"), QString::fromStdString(model)});
        QVERIFY(run.finished);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QLatin1String("timed out")) &&
                run.err.contains(QLatin1String("still running")),
            qPrintable(run.err));
        QVERIFY2(QFileInfo(screenshot).size() > 0, qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(TestLaunchScript)
#include "test_launch_script.moc"
