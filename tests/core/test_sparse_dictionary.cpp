// Learned concept dictionaries: the TopK SAE recovers a planted sparse dictionary, its quality
// measures match their formulas, and the Hungarian matching is optimal.

#include "core/activations.h"
#include "core/attribution.h"
#include "core/concept_dictionary_store.h"
#include "core/concept_page.h"
#include "core/concept_replacement.h"
#include "core/concept_training.h"
#include "core/concept_vectors.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/model.h"
#include "core/named_directions.h"
#include "core/workspace.h"
#include "core/hungarian.h"
#include "core/sparse_dictionary.h"
#include "core/synthetic_shapes.h"
#include "tests/support/test_images.h"
#include "tests/support/test_models.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace loupe;

namespace {

// `atoms` random unit directions in `d` dimensions, and `count` vectors each the sum of `k`
// distinct atoms with weights in [0.5, 1.5].
struct PlantedDictionary {
    std::vector<float> atoms;
    VectorSet data;
};

PlantedDictionary plant(int atoms, int d, int k, int count, std::uint64_t seed)
{
    SeededRandom rng(seed);
    PlantedDictionary p;
    p.atoms.resize(size_t(atoms) * size_t(d));
    for (int a = 0; a < atoms; ++a) {
        double norm = 0;
        for (int j = 0; j < d; ++j) {
            const double v = rng.normal();
            p.atoms[size_t(a * d + j)] = float(v);
            norm += v * v;
        }
        for (int j = 0; j < d; ++j)
            p.atoms[size_t(a * d + j)] /= float(std::sqrt(norm));
    }
    p.data.dimensions = d;
    p.data.values.assign(size_t(count) * size_t(d), 0.f);
    for (int i = 0; i < count; ++i) {
        std::vector<int> chosen;
        while (int(chosen.size()) < k) {
            const int a = rng.integer(0, atoms - 1);
            if (std::find(chosen.begin(), chosen.end(), a) == chosen.end())
                chosen.push_back(a);
        }
        for (int a : chosen) {
            const float w = float(rng.uniform(0.5, 1.5));
            for (int j = 0; j < d; ++j)
                p.data.values[size_t(i * d + j)] += w * p.atoms[size_t(a * d + j)];
        }
    }
    return p;
}

}  // namespace

class TestSparseDictionary : public QObject {
    Q_OBJECT
private slots:
    void hungarianFindsTheCheapestAssignment()
    {
        SeededRandom rng(4);
        for (int trial = 0; trial < 20; ++trial) {
            const int rows = 1 + trial % 5, columns = rows + trial % 3;
            std::vector<double> cost(size_t(rows * columns));
            for (double& c : cost)
                c = rng.uniform(-1, 1);
            const auto match = minimumCostAssignment(cost, rows, columns);
            double found = 0;
            for (int r = 0; r < rows; ++r)
                found += cost[size_t(r * columns + match[size_t(r)])];
            // Brute force over every injective choice of columns.
            std::vector<int> columnsOrder(static_cast<size_t>(columns));
            std::iota(columnsOrder.begin(), columnsOrder.end(), 0);
            double best = 1e9;
            do {
                double total = 0;
                for (int r = 0; r < rows; ++r)
                    total += cost[size_t(r * columns + columnsOrder[size_t(r)])];
                best = std::min(best, total);
            } while (std::next_permutation(columnsOrder.begin(), columnsOrder.end()));
            QVERIFY2(std::abs(found - best) < 1e-9,
                qPrintable(QString("%1 vs %2").arg(found).arg(best)));
        }
    }

    // 64 atoms in 32 dimensions, 3 per vector: training finds them again.
    void topKTrainingRecoversAPlantedDictionary()
    {
        const auto planted = plant(64, 32, 3, 20000, 7);
        SparseDictionaryConfig config;
        config.atoms = 64;
        config.k = 3;
        config.steps = 4000;
        config.batch = 256;
        config.learningRate = 3e-3f;
        config.deadAfter = 20000;
        Progress progress;
        std::vector<TrainingStep> steps;
        const auto dictionary = trainTopKDictionary(
            planted.data, config, progress, [&](const TrainingStep& s) { steps.push_back(s); });
        const float recovered = matchedCosine(planted.atoms, dictionary.decoder, 32);
        const auto quality = measureDictionary(dictionary, planted.data);
        qInfo() << "matched cosine" << recovered << "R2" << quality.explainedVariance << "L0"
                << quality.meanL0 << "dead" << quality.deadAtoms;
        QVERIFY2(recovered > 0.9f, qPrintable(QString::number(recovered)));
        QVERIFY(quality.explainedVariance > 0.9f);
        QVERIFY(quality.meanL0 <= 3.0f);
        QVERIFY(!steps.empty() && steps.back().step == config.steps);
        QVERIFY(steps.back().explainedVariance > steps.front().explainedVariance);
    }

    // The quality measures against their formulas on a dictionary whose codes are known: the
    // identity with k = 2 keeps each vector's two largest positive entries.
    void qualityMatchesItsFormulas()
    {
        SparseDictionary identity;
        identity.dimensions = identity.atoms = 4;
        identity.k = 2;
        identity.encoder.assign(16, 0.f);
        identity.decoder.assign(16, 0.f);
        for (int i = 0; i < 4; ++i)
            identity.encoder[size_t(i * 4 + i)] = identity.decoder[size_t(i * 4 + i)] = 1.f;
        identity.encoderBias.assign(4, 0.f);
        identity.centre.assign(4, 0.f);
        VectorSet v;
        v.dimensions = 4;
        v.values = {3, 1, 2, 0, /**/ 0, 0, 5, 0, /**/ 1, 4, -2, 3};
        const auto q = measureDictionary(identity, v, 0.5f);
        // Kept: (3, 0, 2, 0), (0, 0, 5, 0), (0, 4, 0, 3); codes non-zero: 2, 1, 2.
        QCOMPARE(q.meanL0, 5.f / 3.f);
        const std::vector<float> kept = {3, 0, 2, 0, 0, 0, 5, 0, 0, 4, 0, 3};
        double error = 0, spread = 0;
        for (int j = 0; j < 4; ++j) {
            const double mean =
                (v.values[size_t(j)] + v.values[size_t(4 + j)] + v.values[size_t(8 + j)]) / 3;
            for (int i = 0; i < 3; ++i) {
                error += std::pow(v.values[size_t(i * 4 + j)] - kept[size_t(i * 4 + j)], 2);
                spread += std::pow(v.values[size_t(i * 4 + j)] - mean, 2);
            }
        }
        QVERIFY(std::abs(q.explainedVariance - float(1 - error / spread)) < 1e-5f);
        QCOMPARE(q.deadAtoms, 0);
        QCOMPARE(q.denseAtoms, 1);  // atom 2 is active on 2 of 3 vectors (> 50 %)
    }

    // As many atoms as the data has: the auxiliary loss revives atoms that die early, so few
    // stay dead (and fewer than without it).
    void deadAtomsStayFew()
    {
        const auto planted = plant(128, 32, 3, 20000, 11);
        SparseDictionaryConfig config;
        config.atoms = 128;
        config.k = 3;
        config.steps = 3000;
        config.batch = 256;
        config.learningRate = 3e-3f;
        config.deadAfter = 2000;
        Progress progress;
        const auto withAux =
            measureDictionary(trainTopKDictionary(planted.data, config, progress), planted.data);
        config.auxWeight = 0;
        const auto without =
            measureDictionary(trainTopKDictionary(planted.data, config, progress), planted.data);
        qInfo() << "dead with the auxiliary loss" << withAux.deadAtoms << "without"
                << without.deadAtoms << "of 128";
        QVERIFY2(withAux.deadAtoms <= 128 / 20, qPrintable(QString::number(withAux.deadAtoms)));
        QVERIFY(withAux.deadAtoms <= without.deadAtoms);
    }

    // A layer's vectors over a folder: sampled positions, float16, where each came from; a
    // run cancelled part-way resumes to the same store as an uninterrupted one; a broken image
    // is listed; another collection in the same folder is refused.
    void collectionIsExactAndResumes()
    {
        QTemporaryDir dir;
        const auto model =
            Model::load(test::writeBranchyCnn(dir.path().toStdString()), DevicePreference::Cpu);
        const QString folder = dir.filePath("photos");
        QVERIFY(QDir().mkpath(folder));
        for (int i = 0; i < 6; ++i)
            saveImage(test::noiseImage(40, 40, std::uint64_t(i + 1)),
                (folder + QString("/p%1.png").arg(i)).toStdString());
        QFile broken(folder + "/p9.png");
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("broken");
        broken.close();
        VectorCollectionConfig config;
        config.folder = folder.toStdString();
        config.layer = "block";
        config.perImage = 10;
        config.checkpointEvery = 2;
        Progress progress;
        const auto whole =
            collectVectors(*model, config, dir.filePath("a").toStdString(), progress);
        QCOMPARE(int(whole.origins.size()), 6 * 10);
        QCOMPARE(int(whole.skipped.size()), 1);
        QCOMPARE(whole.vectors.dimensions, 8);
        QCOMPARE(collectionBytes(*model, config, 6), std::uint64_t(60 * (8 * 2 + 8)));

        // A vector equals the layer's activation at its origin (to float16 precision).
        const auto& o = whole.origins[25];
        const auto a = computeActivations(*model,
            loadImage((folder + "/" + QString::fromStdString(whole.images[size_t(o.image)]))
                          .toStdString()),
            "block", false, 0);
        for (int ch = 0; ch < 8; ++ch) {
            const float direct = a.values[size_t(ch * a.height * a.width + o.y * a.width + o.x)];
            QVERIFY(std::abs(whole.vectors.values[size_t(25 * 8 + ch)] - direct) <=
                1e-3f * std::max(1.f, std::abs(direct)));
        }

        // Cancelled after three images, then run again: the same store.
        int reports = 0;
        Progress* self = nullptr;
        Progress interrupted([&](double, const std::string&) {
            if (++reports == 3)
                self->cancel();
        });
        self = &interrupted;
        const std::string store = dir.filePath("b").toStdString();
        QVERIFY_THROWS_EXCEPTION(Cancelled, collectVectors(*model, config, store, interrupted));
        const auto resumed = collectVectors(*model, config, store, progress);
        QCOMPARE(resumed.vectors.values, whole.vectors.values);
        QCOMPARE(resumed.origins.size(), whole.origins.size());
        for (size_t i = 0; i < whole.origins.size(); ++i)
            QVERIFY(resumed.origins[i].image == whole.origins[i].image &&
                resumed.origins[i].x == whole.origins[i].x &&
                resumed.origins[i].y == whole.origins[i].y);

        config.perImage = 5;
        QVERIFY_THROWS_EXCEPTION(Error, collectVectors(*model, config, store, progress));
    }

    // A concept's strongest vectors are those a brute-force pass over every code finds.
    void topVectorsOfAConceptMatchBruteForce()
    {
        const auto planted = plant(16, 8, 2, 3000, 5);
        SparseDictionaryConfig config;
        config.atoms = 16;
        config.k = 2;
        config.steps = 300;
        config.batch = 256;
        Progress progress;
        const auto dictionary = trainTopKDictionary(planted.data, config, progress);
        const auto codes = encodeVectors(dictionary, planted.data);
        for (int atom : {0, 7, 15}) {
            std::vector<std::pair<float, std::int64_t>> all;
            for (std::int64_t i = 0; i < planted.data.count(); ++i)
                all.push_back({codes[size_t(i * 16 + atom)], i});
            std::stable_sort(all.begin(), all.end(),
                [](const auto& a, const auto& b) { return a.first > b.first; });
            const auto hits = topVectorsOfConcept(dictionary, planted.data, atom, 9);
            QCOMPARE(int(hits.size()), 9);
            for (int i = 0; i < 9; ++i) {
                QCOMPARE(hits[size_t(i)].activation, all[size_t(i)].first);
                QCOMPARE(hits[size_t(i)].vector, all[size_t(i)].second);
            }
        }
    }

    // The identity dictionary (atoms e_i and -e_i, all active) reconstructs every vector
    // exactly, so the model with the layer replaced gives its own logits, also for a layer
    // inside a block whose sibling branch still reads the input. A one-atom dictionary
    // changes decisions and recovers less of the loss.
    void replacementByTheIdentityIsTheModel()
    {
        QTemporaryDir dir;
        const auto model =
            Model::load(test::writeBranchyCnn(dir.path().toStdString()), DevicePreference::Cpu);
        std::vector<RgbImage> images;
        for (int i = 0; i < 12; ++i)
            images.push_back(test::noiseImage(40, 40, std::uint64_t(i + 3)));
        Progress progress;
        for (const auto& [layer, channels] : {std::pair{"block", 8}, std::pair{"block.b2", 5}}) {
            SparseDictionary identity;
            identity.dimensions = channels;
            identity.atoms = 2 * channels;
            identity.k = 2 * channels;
            identity.encoder.assign(size_t(2 * channels * channels), 0.f);
            for (int c = 0; c < channels; ++c) {
                identity.encoder[size_t(c * channels + c)] = 1.f;
                identity.encoder[size_t((channels + c) * channels + c)] = -1.f;
            }
            identity.decoder = identity.encoder;
            identity.encoderBias.assign(size_t(2 * channels), 0.f);
            identity.centre.assign(size_t(channels), 0.f);
            for (const auto& image : {images[0], images[5]}) {
                const auto direct = computeActivations(*model, image, "head", false, 0).values;
                const auto replaced = logitsWithReconstruction(*model, layer, identity, image);
                QCOMPARE(replaced.size(), direct.size());
                for (size_t i = 0; i < direct.size(); ++i)
                    QVERIFY2(std::abs(replaced[i] - direct[i]) < 1e-4f, layer);
            }
            const auto agreement = measureReplacement(*model, layer, identity, images, progress);
            QCOMPARE(agreement.images, 12);
            QCOMPARE(agreement.topOneAgreement, 1.f);
            QVERIFY(std::abs(agreement.lossRecovered - 1.f) < 1e-3f);

            SparseDictionary poor = identity;  // keeps one channel's positive part
            poor.k = 1;
            for (float& w : poor.encoderBias)
                w = -1e3f;
            poor.encoderBias[0] = 0;
            const auto lossy = measureReplacement(*model, layer, poor, images, progress);
            QVERIFY2(lossy.lossRecovered < 0.99f, layer);
        }
        SparseDictionary wrongSize;
        wrongSize.dimensions = 3;
        wrongSize.atoms = wrongSize.k = 1;
        wrongSize.encoder = wrongSize.decoder = {1, 0, 0};
        wrongSize.encoderBias = {0};
        wrongSize.centre = {0, 0, 0};
        QVERIFY_THROWS_EXCEPTION(
            Error, measureReplacement(*model, "block", wrongSize, images, progress));
    }

    // The index made in two chunked passes equals a direct pass per concept: the same top
    // vectors in the same order, the same firing share and maximum, a histogram that counts
    // every active vector; it reads back from its bytes unchanged.
    void conceptIndexEqualsDirectSummaries()
    {
        const auto planted = plant(24, 8, 2, 9000, 6);  // more vectors than one 4096-chunk
        SparseDictionaryConfig config;
        config.atoms = 24;
        config.k = 2;
        config.steps = 300;
        config.batch = 256;
        Progress progress;
        const auto dictionary = trainTopKDictionary(planted.data, config, progress);
        const ConceptIndex index = indexConcepts(
            dictionary, planted.data, kConceptTopVectors, kConceptHistogramBins, progress);
        const auto quality = measureDictionary(dictionary, planted.data);
        for (int atom = 0; atom < 24; ++atom) {
            const ConceptSummary fromIndex = index.summary(atom);
            const ConceptSummary direct = summariseConcept(dictionary, planted.data, atom);
            QCOMPARE(fromIndex.topVectors, direct.topVectors);
            QCOMPARE(fromIndex.topActivations, direct.topActivations);
            QCOMPARE(fromIndex.maxActivation, direct.maxActivation);
            QVERIFY(std::abs(fromIndex.firingShare - quality.firingShare[size_t(atom)]) < 1e-6f);
            const int counted =
                std::accumulate(fromIndex.histogram.begin(), fromIndex.histogram.end(), 0);
            QCOMPARE(counted, int(std::lround(direct.firingShare * 9000)));
            QCOMPARE(fromIndex.histogram, direct.histogram);
        }
        const ConceptIndex back = deserializeConceptIndex(serializeConceptIndex(index));
        QCOMPARE(back.topVectors, index.topVectors);
        QCOMPARE(back.histogram, index.histogram);
        std::string damaged = serializeConceptIndex(index);
        damaged.resize(damaged.size() / 2);
        QVERIFY_THROWS_EXCEPTION(Error, deserializeConceptIndex(damaged));
        QVERIFY_THROWS_EXCEPTION(Error, index.summary(24));
    }

    // Training as the dock and the CLI do it keeps the dictionary, its index and its measures
    // in the workspace; a concept is then an objective (concept:LAYER:INDEX = its direction);
    // a cancelled training keeps its last checkpoint, marked unfinished.
    void trainedConceptsLiveInTheWorkspace()
    {
        QTemporaryDir dir;
        const auto model =
            Model::load(test::writeBranchyCnn(dir.path().toStdString()), DevicePreference::Cpu);
        const QString folder = dir.filePath("photos");
        QVERIFY(QDir().mkpath(folder));
        for (int i = 0; i < 5; ++i)
            saveImage(test::noiseImage(40, 40, std::uint64_t(i + 21)),
                (folder + QString("/p%1.png").arg(i)).toStdString());
        auto workspace = Workspace::open(dir.filePath("w.sqlite").toStdString(), model->hash());
        VectorCollectionConfig collect;
        collect.folder = folder.toStdString();
        collect.layer = "block";
        Progress progress;
        const auto vectors =
            collectVectors(*model, collect, conceptStoreDirectory(*workspace, "block"), progress);
        ConceptTrainingOptions options;
        options.config.atoms = 12;
        options.config.k = 3;
        options.config.steps = 150;
        options.config.batch = 128;
        const TrainedConcepts trained =
            trainConcepts(*model, workspace.get(), vectors, options, progress);
        const auto stored = loadConceptDictionary(*workspace, "block");
        QVERIFY(stored && stored->finished);
        QCOMPARE(stored->dictionary.decoder, trained.record.dictionary.decoder);
        QVERIFY(stored->agreement && stored->agreement->images == 5);
        QCOMPARE(stored->quality.firingShare, trained.record.quality.firingShare);
        const auto index = loadConceptIndex(*workspace, "block");
        QVERIFY(index && index->topVectors == trained.index.topVectors);

        auto objective = ObjectiveTerm::parse("concept:block:7");
        resolveDirections(objective, *workspace);
        QCOMPARE(objective.front().layer, std::string("block"));
        QCOMPARE(objective.front().direction,
            std::vector<float>(trained.record.dictionary.decoder.begin() + 7 * 8,
                trained.record.dictionary.decoder.begin() + 8 * 8));
        auto outOfRange = ObjectiveTerm::parse("concept:block:12");
        QVERIFY_THROWS_EXCEPTION(Error, resolveDirections(outOfRange, *workspace));
        auto noDictionary = ObjectiveTerm::parse("concept:conv1:0");
        QVERIFY_THROWS_EXCEPTION(Error, resolveDirections(noDictionary, *workspace));

        nameConcept(*workspace, "block", 7, "grain");
        QCOMPARE(
            conceptLabel(*loadConceptDictionary(*workspace, "block"), 7), std::string("grain"));
        QCOMPARE(conceptLabel(*loadConceptDictionary(*workspace, "block"), 6),
            std::string("concept:block:6"));

        // Cancelled half-way: the checkpoint replaces the dictionary, unfinished, no index.
        int reports = 0;
        Progress* self = nullptr;
        Progress cancelling([&](double, const std::string&) {
            if (++reports == 100)
                self->cancel();
        });
        self = &cancelling;
        bool told = false;
        options.config.steps = 2000;
        QVERIFY_THROWS_EXCEPTION(Cancelled,
            trainConcepts(*model, workspace.get(), vectors, options, cancelling, {},
                [&](const ConceptDictionaryRecord& kept) { told = !kept.finished; }));
        QVERIFY(told);
        const auto kept = loadConceptDictionary(*workspace, "block");
        QVERIFY(kept && !kept->finished);
        QVERIFY(!loadConceptIndex(*workspace, "block"));
    }

    // concept:LAYER:N is an attribution target: its direction read from the workspace. With
    // the identity dictionary, concept 3 is channel 3, so its map is the unit's map; the value
    // it explains is the direction's projection.
    void aConceptIsAnAttributionTarget()
    {
        QTemporaryDir dir;
        const auto model =
            Model::load(test::writeBranchyCnn(dir.path().toStdString()), DevicePreference::Cpu);
        auto workspace = Workspace::open(dir.filePath("w.sqlite").toStdString(), model->hash());
        const RgbImage image = test::noiseImage(40, 40, 5);
        AttributionConfig config;
        config.method = AttributionMethod::InputTimesGradient;
        config.target = AttributionTarget::parse("concept:block:3");
        QCOMPARE(config.target.toString(), std::string("concept:block:3"));
        QVERIFY_THROWS_EXCEPTION(Error, resolveConceptTarget(config.target, workspace.get()));
        Progress progress;
        QVERIFY_THROWS_EXCEPTION(Error, attribute(*model, image, config, progress));  // unresolved

        ConceptDictionaryRecord record;
        record.layer = "block";
        record.dictionary.dimensions = record.dictionary.atoms = 8;
        record.dictionary.k = 8;
        record.dictionary.encoder.assign(64, 0.f);
        for (int c = 0; c < 8; ++c)
            record.dictionary.encoder[size_t(c * 8 + c)] = 1.f;
        record.dictionary.decoder = record.dictionary.encoder;
        record.dictionary.encoderBias.assign(8, 0.f);
        record.dictionary.centre.assign(8, 0.f);
        record.config.atoms = 8;
        record.names.assign(8, std::string());
        saveConceptDictionary(*workspace, record);
        resolveConceptTarget(config.target, workspace.get());
        QCOMPARE(config.target.direction.size(), size_t(8));
        const AttributionMap byConcept = attribute(*model, image, config, progress);
        config.target = AttributionTarget::parse("unit:block:3");
        const AttributionMap byUnit = attribute(*model, image, config, progress);
        QCOMPARE(byConcept.values.size(), byUnit.values.size());
        for (size_t i = 0; i < byUnit.values.size(); ++i)
            QVERIFY(std::abs(byConcept.values[i] - byUnit.values[i]) <= 1e-5f);
        QVERIFY(std::abs(byConcept.targetValue - byUnit.targetValue) <= 1e-5f);

        auto outOfRange = AttributionTarget::parse("concept:block:8");
        QVERIFY_THROWS_EXCEPTION(Error, resolveConceptTarget(outOfRange, workspace.get()));
        QVERIFY_THROWS_EXCEPTION(Error, AttributionTarget::parse("concept:block"));
    }

    void badInputIsRefused()
    {
        Progress progress;
        QVERIFY_THROWS_EXCEPTION(Error, trainTopKDictionary(VectorSet(), {}, progress));
        VectorSet v;
        v.dimensions = 2;
        v.values = {1, 2};
        SparseDictionaryConfig config;
        config.atoms = 4;
        config.k = 5;
        QVERIFY_THROWS_EXCEPTION(Error, trainTopKDictionary(v, config, progress));
    }
};

QTEST_GUILESS_MAIN(TestSparseDictionary)
#include "test_sparse_dictionary.moc"
