#include "tests/widgets/synthetic_data.h"
#include "widgets/activations_panel.h"
#include "widgets/figure_export.h"
#include "widgets/unit_selection.h"

#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace loupe;
using namespace loupe::widgets;

class TestFigureExport : public QObject {
    Q_OBJECT
private slots:
    void init()
    {
        panel_ = std::make_unique<ActivationsPanel>(PanelServices{&selection_, nullptr});
        panel_->resize(500, 500);
        panel_->setActivations(test::syntheticActivations(20, 5));
        context_ = {"/models/m.pt", "abc123", "/images/cat.jpg", "block:3"};
    }

    void writesEveryFormatWithSidecar_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<QByteArray>("magic");
        QTest::newRow("png") << "png" << QByteArray("\x89PNG");
        QTest::newRow("svg") << "svg" << QByteArray("<?xml");
        QTest::newRow("pdf") << "pdf" << QByteArray("%PDF");
    }
    void writesEveryFormatWithSidecar()
    {
        QFETCH(QString, suffix);
        QFETCH(QByteArray, magic);
        QTemporaryDir dir;
        const QString path = dir.filePath("figure." + suffix);
        const ExportResult r = exportFigure(*panel_, path, 150, context_);
        QVERIFY2(r.ok, qPrintable(r.error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(bytes.startsWith(magic));
        if (suffix == "svg")  // the plot stays vector: its bars are paths, not one bitmap
            QVERIFY(bytes.count("<path") > 5);

        QFile sidecar(path + ".json");
        QVERIFY(sidecar.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(sidecar.readAll()).object();
        QCOMPARE(json["model_hash"].toString(), QString("abc123"));
        QCOMPARE(json["unit"].toString(), QString("block:3"));
        QCOMPARE(json["image"].toString(), QString("/images/cat.jpg"));
        QCOMPARE(json["title"].toString(), QString("block:3 — cat.jpg — m.pt"));
        QCOMPARE(json["parameters"].toObject()["layer"].toString(), QString("block"));
        QCOMPARE(json["parameters"].toObject()["shared_scale"].toBool(), false);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2);  // no temporary leftovers
    }

    // The resolution changes the pixels, not the figure: a 288-dpi PNG scaled down by 4 looks
    // like the 72-dpi one (plots once drew 3x too large at 300 dpi and at 3/4 size at 72).
    void pngAtAnyDpiIsTheSameFigure()
    {
        QTemporaryDir dir;
        QVERIFY(exportFigure(*panel_, dir.filePath("a.png"), 72, context_).ok);
        QVERIFY(exportFigure(*panel_, dir.filePath("b.png"), 288, context_).ok);
        const QImage small = QImage(dir.filePath("a.png")).convertToFormat(QImage::Format_RGB32);
        const QImage large =
            QImage(dir.filePath("b.png"))
                .scaled(small.size(), Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                .convertToFormat(QImage::Format_RGB32);
        double difference = 0;
        for (int y = 0; y < small.height(); ++y)
            for (int x = 0; x < small.width(); ++x) {
                const QRgb a = small.pixel(x, y), b = large.pixel(x, y);
                difference += std::abs(qRed(a) - qRed(b)) + std::abs(qGreen(a) - qGreen(b)) +
                    std::abs(qBlue(a) - qBlue(b));
            }
        difference /= 3.0 * small.width() * small.height();
        QVERIFY2(difference < 6, qPrintable(QString::number(difference)));
    }

    void pngSizeFollowsDpi()
    {
        QTemporaryDir dir;
        QVERIFY(exportFigure(*panel_, dir.filePath("a.png"), 72, context_).ok);
        QVERIFY(exportFigure(*panel_, dir.filePath("b.png"), 144, context_).ok);
        const QImage a(dir.filePath("a.png")), b(dir.filePath("b.png"));
        // The view below a title band: "<dock> — unit — image — model".
        QCOMPARE(a.size(), panel_->exportSize() + QSize(0, kFigureTitleHeight));
        QCOMPARE(b.width(), 2 * a.width());
        // The grid is drawn below the title: its top-left tile is not white.
        QVERIFY(a.pixelColor(8, kFigureTitleHeight + 8) != QColor(Qt::white));
    }

    void unwritablePathsAreReportedNotCrashed()
    {
        const ExportResult missing =
            exportFigure(*panel_, "/nonexistent/folder/f.png", 72, context_);
        QVERIFY(!missing.ok);
        QVERIFY(missing.error.contains("does not exist"));
        QTemporaryDir dir;
        QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner);
        if (QFileInfo(dir.path()).isWritable())
            QSKIP("running as root: permissions are not enforced");
        const ExportResult readOnly = exportFigure(*panel_, dir.filePath("f.pdf"), 72, context_);
        QVERIFY(!readOnly.ok);
        QVERIFY(readOnly.error.contains("not writable"));
    }

    void unknownFormatIsRefused()
    {
        QTemporaryDir dir;
        const ExportResult r = exportFigure(*panel_, dir.filePath("f.gif"), 72, context_);
        QVERIFY(!r.ok);
        QVERIFY(r.error.contains("unknown figure format"));
        QVERIFY(!QFile::exists(dir.filePath("f.gif")));
    }

private:
    UnitSelection selection_;
    std::unique_ptr<ActivationsPanel> panel_;
    FigureContext context_;
};

QTEST_MAIN(TestFigureExport)
#include "test_figure_export.moc"
