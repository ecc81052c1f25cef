// The dataset-side feature modules on their own (Dataset, Concepts, Dissection), as in
// test_modules: an AppContext with a fake shell, a small test model, folders made here.
#include "app/modules/atlas_module.h"
#include "app/modules/attribution_module.h"
#include "app/modules/concepts_module.h"
#include "app/modules/dataset_module.h"
#include "app/modules/dictionary_module.h"
#include "app/modules/dissection_module.h"
#include "app/modules/unit_page_module.h"
#include "core/concept_dictionary_store.h"
#include "core/dataset_scan.h"
#include "core/image_io.h"
#include "core/scan_shards.h"
#include "core/workspace.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"
#include "tests/widgets/module_harness.h"
#include "widgets/atlas_panel.h"
#include "widgets/attribution_panel.h"
#include "widgets/concepts_panel.h"
#include "widgets/dictionary_panel.h"
#include "widgets/dissection_panel.h"
#include "widgets/distribution_panel.h"
#include "widgets/examples_panel.h"
#include "widgets/unit_page_panel.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <set>

using namespace loupe;
using test::barImage;
using test::Harness;

class TestDatasetModules : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("LOUPE_DATA_DIR", data_.path().toUtf8());
        model_ = QString::fromStdString(test::writeBranchyCnn(dir_.path().toStdString()));
    }

    // Dissection of the selected layer over a folder (colour concepts), then over a synthetic
    // set rendered on request; a click on a unit selects it and brings its outlined images.
    void dissectionOfTheSelectedLayer()
    {
        Harness h;
        app::DissectionModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QVERIFY(h.open(model_, barImage()));
        QTemporaryDir photos;
        for (int i = 0; i < 6; ++i)
            saveImage(test::noiseImage(40, 36, std::uint64_t(i + 1)),
                photos.filePath(QStringLiteral("p%1.png").arg(i)).toStdString());
        QFile broken(photos.filePath(QStringLiteral("broken.jpg")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not a jpeg");
        broken.close();
        QSignalSpy done(&module, &app::DissectionModule::dissected);
        QSignalSpy failed(&module, &app::DissectionModule::failed);
        module.requestDissection(photos.path(), {}, {}, true, 0.005, 0.04, 0);
        QVERIFY(failed.count() == 1);  // no layer selected yet: said, not thrown
        h.selection.selectLayer(QStringLiteral("block"));
        module.panel()->setFolder(photos.path());
        module.panel()->run();
        QVERIFY(h.wait([&] { return done.count() == 1; }));
        QCOMPARE(module.panel()->rows(), 8);
        QCOMPARE(int(module.panel()->result().images.size()), 6);
        QCOMPARE(int(module.panel()->result().skipped.size()), 1);
        QCOMPARE(module.panel()->result().concepts.size(), size_t(11));
        // A click selects the unit everywhere.
        const int unit = module.panel()->result().units[3].unit;
        module.panel()->showUnit(unit);
        QCOMPARE(h.selection.channel(), unit);
        QVERIFY(!module.panel()->exportData().isEmpty());

        QTemporaryDir synthetic;
        module.requestSynthetic(synthetic.filePath(QStringLiteral("set")), 30);
        QVERIFY(h.wait([&] { return done.count() == 2; }));
        QCOMPARE(module.panel()->result().concepts.size(), size_t(6));
        QCOMPARE(int(module.panel()->result().images.size()), 30);
    }

    void datasetExamplesOfTheSelectedUnitAfterAScan()
    {
        Harness h;
        app::DatasetModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owners[] = {std::unique_ptr<QWidget>(module.examplesPanel()),
            std::unique_ptr<QWidget>(module.distributionPanel())};
        QVERIFY(h.open(model_, barImage()));
        QTemporaryDir folder;
        for (int i = 0; i < 4; ++i) {
            RgbImage img = barImage();
            std::fill(img.pixel(5 + i, 10), img.pixel(5 + i, 10) + 3, 200);
            saveImage(img, folder.filePath(QString("img%1.png").arg(i)).toStdString());
        }
        QSignalSpy scanned(&module, &app::DatasetModule::scanFinished);
        QSignalSpy examples(&module, &app::DatasetModule::examplesReady);
        module.scanFolder(folder.path(), {"conv1"});
        QVERIFY(h.wait([&] { return scanned.count() == 1; }));
        QVERIFY(h.wait([&] { return h.session.hasScan(); }));
        h.selection.selectUnit("conv1", 2);
        QVERIFY(h.wait([&] { return examples.count() >= 1; }));
        QVERIFY(!examples.last().at(0).value<UnitExamples>().top.empty());
        QVERIFY(h.shell.errors.isEmpty());
    }

    // The unit page: after a scan, one view holds the unit's four feature visualizations, its
    // strongest and weakest examples (with file names), its inputs in the layer before, and a
    // loupe:// link; it follows the selection while shown and exports as one figure whose
    // sidecar names the example images.
    void unitPageShowsEverythingAboutAUnit()
    {
        Harness h;
        app::DatasetModule dataset(h.context, nullptr);
        app::UnitPageModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owners[] = {std::unique_ptr<QWidget>(dataset.examplesPanel()),
            std::unique_ptr<QWidget>(dataset.distributionPanel()),
            std::unique_ptr<QWidget>(module.panel())};
        QVERIFY(h.open(model_, barImage()));
        QTemporaryDir folder;
        for (int i = 0; i < 4; ++i) {
            RgbImage img = test::noiseImage(32, 32, 40 + i);
            saveImage(img, folder.filePath(QString("photo%1.png").arg(i)).toStdString());
        }
        QSignalSpy scanned(&dataset, &app::DatasetModule::scanFinished);
        dataset.scanFolder(folder.path(), {"conv1", "block"});
        QVERIFY(h.wait([&] { return scanned.count() == 1 && h.session.hasScan(); }));

        widgets::UnitPagePanel* page = module.panel();
        QSignalSpy complete(&module, &app::UnitPageModule::pageComplete);
        h.selection.selectUnit("block", 2);  // hidden: the page does not follow yet
        QTest::qWait(100);
        QCOMPARE(complete.count(), 0);
        QCOMPARE(page->channel(), -1);
        page->show();  // raised: it catches up with the selection
        QVERIFY(h.wait([&] { return complete.count() == 1; }));
        QCOMPARE(page->layer(), QString("block"));
        QCOMPARE(page->channel(), 2);
        QCOMPARE(page->link(),
            QString("loupe://%1/block/2").arg(QString::fromStdString(h.session.model()->hash())));
        QCOMPARE(page->renderedCount(), 4);
        // The diversity batch of four is one 2 x 2 picture (64-px renders for this model).
        const QSize tiled = page->renderImage(3).size();
        QVERIFY2(tiled.width() >= 2 * 64 && tiled.height() == tiled.width(),
            qPrintable(QString("%1 x %2").arg(tiled.width()).arg(tiled.height())));
        QVERIFY(page->exampleCount() >= 2);
        QVERIFY(!page->neighbours().inputs.empty());
        QCOMPARE(QString::fromStdString(page->neighbours().inputs.front().layer), QString("conv1"));
        QVERIFY(!page->neighbours().outputsProblem.empty());  // nothing with weights after block
        QVERIFY2(h.shell.errors.isEmpty(), qPrintable(h.shell.errors.join("; ")));

        const QString figure = data_.filePath(QStringLiteral("unit-page.png"));
        const widgets::ExportResult exported = widgets::exportFigure(*page, figure, 72, h.figures);
        QVERIFY2(exported.ok, qPrintable(exported.error));
        // The histogram behind the figure, as CSV: its counts add up to the scanned positions.
        QFile csv(exported.dataPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.first(), QString("low,high,count,density"));
        qulonglong counted = 0;
        for (int i = 1; i < rows.size(); ++i)
            counted += rows[i].section(',', 2, 2).toULongLong();
        QVERIFY(counted > 0);
        QFile sidecar(figure + QStringLiteral(".json"));
        QVERIFY(sidecar.open(QIODevice::ReadOnly));
        const QJsonObject parameters =
            QJsonDocument::fromJson(sidecar.readAll()).object().value("parameters").toObject();
        QCOMPARE(parameters.value("link").toString(), page->link());
        const QJsonArray top =
            parameters.value("dataset_examples").toObject().value("top").toArray();
        QVERIFY(!top.isEmpty());
        QVERIFY(top.first().toObject().value("image").toString().startsWith("photo"));

        // Clicking an input neighbour goes there: the page follows the selection.
        const UnitNeighbour first = page->neighbours().inputs.front();
        emit page->unitActivated(QString::fromStdString(first.layer), first.channel);
        QCOMPARE(h.selection.layer(), QString("conv1"));
        QVERIFY(h.wait([&] { return complete.count() == 2; }));
        QCOMPARE(page->channel(), first.channel);
        QVERIFY(!page->neighbours().outputs.empty());  // conv1 drives block

        // Back to block:2: the page is read from the workspace, the diversity picture whole.
        h.selection.selectUnit("block", 2);
        QVERIFY(h.wait([&] { return complete.count() == 3; }));
        QCOMPARE(page->renderedCount(), 4);
        QCOMPARE(page->renderImage(3).size(), tiled);

        // The page goes stale (a new scan) while its jobs run, behind another tab: what they
        // bring back is dropped; no job is sent for "no unit" (one was: ":-1: neighbours").
        QStringList failures;
        connect(&h.jobs, &app::JobRunner::jobFinished, this,
            [&](int, const QString& outcome, widgets::JobState state) {
                if (state == widgets::JobState::Failed)
                    failures << outcome;
            });
        h.selection.selectUnit("block", 3);
        page->hide();
        emit h.session.scanChanged({});
        for (int i = 0; i < 3; ++i) {  // completions queue further jobs: let them all end
            h.jobs.waitForIdle(60000);
            QTest::qWait(100);
        }
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join("; ")));
    }

    // A scan merged from a cluster job's shard files is read like a local one, and the
    // Dataset Examples dock says where it came from.
    void aMergedClusterScanIsReadAndDescribed()
    {
        Harness h;
        app::DatasetModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owners[] = {std::unique_ptr<QWidget>(module.examplesPanel()),
            std::unique_ptr<QWidget>(module.distributionPanel())};
        QVERIFY(h.open(model_, barImage()));
        QTemporaryDir folder, shards;
        for (int i = 0; i < 6; ++i)
            saveImage(test::noiseImage(32, 32, std::uint64_t(i + 3)),
                folder.filePath(QString("p%1.png").arg(i)).toStdString());
        std::vector<std::string> files;
        for (int shard = 0; shard < 2; ++shard) {
            files.push_back(shards.filePath(QString("s%1.sqlite").arg(shard)).toStdString());
            auto file = Workspace::open(files.back(), h.session.workspace()->modelHash());
            ScanConfig config;
            config.folder = folder.path().toStdString();
            config.layers = {"conv1"};
            config.shard = shard;
            config.shards = 2;
            Progress quiet;
            loupe::scanFolder(*h.session.model(), *file, config, quiet);
        }
        mergeScanShards(files, *h.session.workspace());
        QSignalSpy examples(&module, &app::DatasetModule::examplesReady);
        emit h.session.workspaceChanged();
        // The workspace is shared with the earlier tests: wait for the merged scan's summary
        // (an earlier scan is described at once).
        h.wait([&] { return module.examplesPanel()->scanDescription().contains("merged"); });
        const QString description = module.examplesPanel()->scanDescription();
        QVERIFY2(description.contains("6 images") &&
                description.contains("merged from 2 shard files (runs of 2 shards)"),
            qPrintable(description));
        h.selection.selectUnit("conv1", 1);
        QVERIFY(h.wait([&] { return examples.count() >= 1; }));
        QCOMPARE(int(examples.last().at(0).value<UnitExamples>().top.size()) > 0, true);
        QVERIFY(h.shell.errors.isEmpty());
    }

    // The Concepts dock's whole path on a small model: the size shown before collecting, the
    // vectors collected into the workspace's store, a dictionary trained with live curves,
    // measured (R², the model's agreement with the layer replaced) and kept in the workspace;
    // a concept's page (patches one per photo, strongest first, beside its top channel's) and
    // picture; a name that survives reading the dictionary back; the concept as an objective.
    void conceptsAreCollectedTrainedAndBrowsed()
    {
        Harness h;
        app::ConceptsModule module(h.context, nullptr);
        std::unique_ptr<QWidget> owner(module.panel());
        QVERIFY(h.open(model_, barImage()));
        QTemporaryDir folder;
        for (int i = 0; i < 6; ++i)
            saveImage(test::noiseImage(40, 40, std::uint64_t(i + 11)),
                folder.filePath(QString("p%1.png").arg(i)).toStdString());
        QSignalSpy estimates(&module, &app::ConceptsModule::estimateReady);
        module.requestEstimate("block", folder.path(), 0, 10);
        QVERIFY(h.wait([&] { return estimates.count() == 1; }));
        QVERIFY2(estimates.first().at(0).toString().contains("6 photos"),
            qPrintable(estimates.first().at(0).toString()));

        QSignalSpy failed(&module, &app::ConceptsModule::conceptsFailed);
        module.requestTraining("block", 16, 2, 50, false);  // nothing collected yet
        QVERIFY(h.wait([&] { return failed.count() == 1; }));
        QVERIFY(failed.first().at(0).toString().contains("Collect"));
        module.requestCollection("no-such-layer", folder.path(), 0, 10);  // said, not thrown
        QCOMPARE(failed.count(), 2);
        QVERIFY(failed.last().at(0).toString().contains("no-such-layer"));

        QSignalSpy collected(&module, &app::ConceptsModule::vectorsCollected);
        module.requestCollection("block", folder.path(), 0, 10);
        QVERIFY(h.wait([&] { return collected.count() == 1; }));
        QCOMPARE(collected.first().at(0).toLongLong(), qint64(60));

        QSignalSpy steps(&module, &app::ConceptsModule::trainingStep);
        QSignalSpy ready(&module, &app::ConceptsModule::dictionaryReady);
        module.requestTraining("block", 16, 2, 200, true);
        QVERIFY(h.wait([&] { return ready.count() == 1; }));
        QVERIFY(steps.count() >= 100);
        QCOMPARE(module.panel()->trainingSteps(), steps.count());
        const auto record = ready.first().at(0).value<ConceptDictionaryRecord>();
        QVERIFY(record.finished);
        QCOMPARE(record.vectors, std::int64_t(60));
        QVERIFY(record.quality.explainedVariance > 0.5f);
        QVERIFY(record.agreement && record.agreement->images == 6);
        QVERIFY(record.stability && *record.stability > 0.f);
        QVERIFY(module.panel()->qualityText().contains("top-1 agreement"));

        QSignalSpy pages(&module, &app::ConceptsModule::conceptPageReady);
        QSignalSpy pictures(&module, &app::ConceptsModule::conceptPictureReady);
        int concept = 0;  // one that fires
        while (record.quality.firingShare[size_t(concept)] == 0.f)
            ++concept;
        module.panel()->selectConcept(concept);
        QVERIFY(h.wait([&] { return pictures.count() == 1; }));
        const auto page = pages.first().at(0).value<ConceptPage>();
        QCOMPARE(page.concept, concept);
        QVERIFY(!page.examples.empty() && !page.channelExamples.empty());
        std::set<std::string> photos;
        for (size_t i = 0; i < page.examples.size(); ++i) {
            QVERIFY(photos.insert(page.examples[i].image).second);
            QVERIFY(!page.examples[i].crop.empty());
            if (i > 0)
                QVERIFY(page.examples[i].activation <= page.examples[i - 1].activation);
        }
        QVERIFY(!pictures.first().at(1).value<RgbImage>().empty());
        QCOMPARE(module.panel()->shownConcept(), concept);

        module.requestName("block", concept, "speckles");
        QVERIFY(h.wait([&] { return h.jobs.runningCount() == 0; }));
        const auto stored = loadConceptDictionary(*h.session.workspace(), "block");
        QVERIFY(stored && stored->names[size_t(concept)] == "speckles");
        QCOMPARE(stored->dictionary.decoder, record.dictionary.decoder);

        // Reopening the layer shows the stored dictionary.
        QSignalSpy again(&module, &app::ConceptsModule::dictionaryReady);
        module.showLayer("block");
        QVERIFY(h.wait([&] { return again.count() == 1; }));
        QCOMPARE(again.first().at(0).value<ConceptDictionaryRecord>().names[size_t(concept)],
            std::string("speckles"));

        // The semantic dictionary lists the concepts active in a region, by name where named;
        // clicking one shows it in the Concepts dock.
        app::DictionaryModule dictionary(h.context, nullptr);
        std::unique_ptr<QWidget> dictionaryOwner(dictionary.panel());
        const QString photo = folder.filePath("p0.png");
        h.session.publishActivations(computeActivations(
            *h.session.model(), loadImage(photo.toStdString()), "block", false, 0));
        QSignalSpy listed(&dictionary, &app::DictionaryModule::conceptsReady);
        dictionary.requestConcepts("block", CellRange{0, 0, 2, 2});
        QVERIFY(h.wait([&] { return listed.count() == 1; }));
        const auto entries = listed.first().at(1).value<std::vector<DictionaryEntry>>();
        QVERIFY(!entries.empty());
        float shares = 0;
        for (const auto& e : entries)
            shares += e.share;
        QVERIFY(shares > 0.f && shares <= 1.0001f);
        QCOMPARE(listed.first().at(2).toStringList().size(), int(entries.size()));
        QCOMPARE(dictionary.panel()->conceptCount(), int(entries.size()));
        const int other = entries.front().channel == concept && entries.size() > 1
            ? entries[1].channel
            : entries.front().channel;
        h.selection.selectConcept("block", other);
        QVERIFY(h.wait([&] { return module.panel()->shownConcept() == other; }));

        // The concept shown is the attribution dock's "selected concept" target.
        QCOMPARE(h.selection.concept(), other);
        app::AttributionModule attribution(h.context, nullptr);
        std::unique_ptr<QWidget> attributionOwner(attribution.panel());
        QSignalSpy maps(&attribution, &app::AttributionModule::attributionReady);
        attribution.requestAttribution(
            {"saliency"}, QString("concept:block:%1").arg(other), QString());
        QVERIFY(h.wait([&] { return maps.count() == 1; }));
        const auto conceptMap = maps.first().at(1).value<AttributionMap>();
        QVERIFY(!conceptMap.values.empty() && std::isfinite(conceptMap.targetValue));

        // The atlas of the same layer colours its cells by the concept shown: each cell's
        // strength is its mean vector's projection on the concept's direction.
        app::AtlasModule atlas(h.context, nullptr);
        std::unique_ptr<QWidget> atlasOwner(atlas.panel());
        QSignalSpy coloured(&atlas, &app::AtlasModule::conceptColoured);
        widgets::AtlasBuildRequest build;
        build.layer = "block";
        build.folder = folder.path();
        build.grid = 6;
        build.maxIcons = 4;
        build.iconSteps = 4;
        atlas.requestAtlas(build);
        QVERIFY(h.wait([&] { return coloured.count() == 1; }));
        QCOMPARE(coloured.first().at(0).toInt(), other);
        QVERIFY(atlas.panel()->showsConcept());
        const std::vector<float> direction(
            record.dictionary.decoder.begin() + std::ptrdiff_t(other) * 8,
            record.dictionary.decoder.begin() +
                std::ptrdiff_t(other + 1) * 8);  // block: 8 channels
        const auto strengths = cellProjections(*atlas.panel()->atlas(), direction);
        QCOMPARE(strengths.size(), atlas.panel()->atlas()->cells.size());
        QVERIFY(atlas.panel()->conceptStrengths() == strengths);
        // Another concept re-colours it; a concept of another layer leaves it alone.
        module.panel()->selectConcept(concept);
        QVERIFY(h.wait([&] { return coloured.count() == 2; }));
        h.selection.rememberConcept("conv1", 0);
        QTest::qWait(200);
        QCOMPARE(coloured.count(), 2);
        QVERIFY(failed.count() == 2 && h.shell.errors.isEmpty());
    }

private:
    QTemporaryDir dir_, data_;
    QString model_;
};

QTEST_MAIN(TestDatasetModules)
#include "test_dataset_modules.moc"
