// TopK sparse autoencoder training (Gao et al. 2024, "Scaling and evaluating sparse
// autoencoders"): encoder initialised as the decoder's transpose, decoder rows kept at unit
// norm, the data's mean as the fixed centre, and the auxiliary loss that lets dead atoms learn
// from what the live ones leave unexplained.

#include "core/sparse_dictionary.h"

#include "core/device.h"
#include "core/error.h"
#include "core/hungarian.h"
#include "core/torch/random.h"

#include <torch/torch.h>

#include <cmath>

namespace loupe {
namespace {

torch::Tensor toTensor(const std::vector<float>& values, std::vector<int64_t> shape)
{
    return torch::from_blob(const_cast<float*>(values.data()), shape, torch::kFloat32).clone();
}

std::vector<float> toVector(const torch::Tensor& t)
{
    const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

// Keeps the k largest pre-activations per row (ReLU'd), zero elsewhere.
torch::Tensor topK(const torch::Tensor& pre, int k)
{
    const auto [values, indices] = pre.topk(k, 1);
    return torch::zeros_like(pre).scatter(1, indices, torch::relu(values));
}

struct Parameters {
    torch::Tensor encoder, encoderBias, decoder, centre;

    torch::Tensor preActivations(const torch::Tensor& x) const
    {
        return torch::addmm(encoderBias, x - centre, encoder.t());
    }
    torch::Tensor decode(const torch::Tensor& codes) const { return codes.mm(decoder) + centre; }

    SparseDictionary toDictionary(int k) const
    {
        SparseDictionary d;
        d.atoms = int(decoder.size(0));
        d.dimensions = int(decoder.size(1));
        d.k = k;
        d.encoder = toVector(encoder);
        d.encoderBias = toVector(encoderBias);
        d.decoder = toVector(decoder);
        d.centre = toVector(centre);
        return d;
    }
    static Parameters of(const SparseDictionary& d)
    {
        return {toTensor(d.encoder, {d.atoms, d.dimensions}), toTensor(d.encoderBias, {d.atoms}),
            toTensor(d.decoder, {d.atoms, d.dimensions}), toTensor(d.centre, {d.dimensions})};
    }
};

void checkData(const VectorSet& data)
{
    if (data.dimensions <= 0 || data.count() == 0 ||
        data.values.size() != size_t(data.count()) * size_t(data.dimensions))
        throw Error("no activation vectors to learn a dictionary from");
}

// The vectors as a count x dimensions tensor (a view of their storage), once they are checked
// to fit the dictionary.
torch::Tensor vectorsFor(const SparseDictionary& dictionary, const VectorSet& vectors)
{
    checkData(vectors);
    if (vectors.dimensions != dictionary.dimensions)
        throw Error("vectors of " + std::to_string(vectors.dimensions) +
            " values do not fit a dictionary of " + std::to_string(dictionary.dimensions));
    return torch::from_blob(const_cast<float*>(vectors.values.data()),
        {vectors.count(), int64_t(vectors.dimensions)}, torch::kFloat32);
}

// visit(vectors, codes) for consecutive chunks: the codes of every vector at once would be
// count x atoms floats (3 GB for 200,000 vectors and 4,096 atoms). Every encoding passes
// here, under one BLAS thread count: a product split over other threads rounds differently,
// and the concept index must give the same bits as a direct summary of one concept.
void forEachCodeChunk(const SparseDictionary& dictionary, const torch::Tensor& x,
    const std::function<void(const torch::Tensor&, const torch::Tensor&)>& visit)
{
    const ParallelBlasScope largeProducts;
    torch::NoGradGuard noGrad;
    const Parameters p = Parameters::of(dictionary);
    for (int64_t start = 0; start < x.size(0); start += 4096) {
        const auto chunk = x.slice(0, start, start + 4096);
        visit(chunk, topK(p.preActivations(chunk), dictionary.k));
    }
}

}  // namespace

SparseDictionary trainTopKDictionary(const VectorSet& data, const SparseDictionaryConfig& config,
    Progress& progress, const std::function<void(const TrainingStep&)>& onStep,
    SparseDictionary* lastCheckpoint)
{
    const ParallelBlasScope largeProducts;
    checkData(data);
    if (config.atoms < 1 || config.k < 1 || config.k > config.atoms)
        throw Error("a dictionary needs 1 <= k <= atoms (k = " + std::to_string(config.k) +
            ", atoms = " + std::to_string(config.atoms) + ")");
    const int64_t n = data.count(), d = data.dimensions;
    const auto x =
        torch::from_blob(const_cast<float*>(data.values.data()), {n, d}, torch::kFloat32);
    auto generator = seededGenerator(config.seed);
    Parameters p;
    p.centre = x.mean(0);
    p.decoder = normal({config.atoms, d}, generator, torch::TensorOptions());
    p.decoder /= p.decoder.norm(2, 1, true);
    p.encoder = p.decoder.clone().requires_grad_();
    p.decoder.requires_grad_();
    p.encoderBias = torch::zeros({config.atoms}).requires_grad_();
    torch::optim::Adam adam(
        {p.encoder, p.encoderBias, p.decoder}, torch::optim::AdamOptions(config.learningRate));
    auto sinceFired = torch::zeros({config.atoms}, torch::kLong);
    const int batch = int(std::min<int64_t>(config.batch, n));
    const int report = std::max(1, config.steps / 200);
    try {
        for (int step = 1; step <= config.steps; ++step) {
            progress.checkCancelled();
            const auto rows =
                integers(n, {batch}, generator, torch::TensorOptions().dtype(torch::kLong));
            const auto xb = x.index_select(0, rows);
            const auto pre = p.preActivations(xb);
            // The codes as (atom, value) pairs: the decoder reads only the k atoms of each row
            // (a weighted embedding bag), instead of multiplying a batch x atoms matrix that is
            // almost all zeros — three of the step's five large matrix products.
            const auto chosen = std::get<1>(pre.detach().topk(config.k, 1));
            const auto values = torch::relu(pre.gather(1, chosen));
            const auto bags = torch::arange(0, int64_t(batch) * config.k, config.k, torch::kLong);
            const auto reconstruction =
                std::get<0>(torch::embedding_bag(
                    p.decoder, chosen.reshape(-1), bags, false, 0, false, values.reshape(-1))) +
                p.centre;
            const auto error = reconstruction - xb;
            auto loss = error.pow(2).mean();
            // Dead atoms learn to explain the residual the live ones leave.
            const auto dead = sinceFired > config.deadAfter;
            const int deadCount = int(dead.sum().item<int64_t>());
            if (deadCount > 0) {
                const auto masked = pre.masked_fill(~dead.view({1, -1}), -1e30);
                const auto auxCodes = topK(masked, std::min(config.auxK, deadCount));
                const auto residual = (xb - reconstruction).detach();
                loss = loss +
                    config.auxWeight * (auxCodes.mm(p.decoder) - residual).pow(2).mean() /
                        residual.pow(2).mean().clamp_min(1e-12);
            }
            adam.zero_grad();
            loss.backward();
            adam.step();
            {
                torch::NoGradGuard noGrad;
                p.decoder /= p.decoder.norm(2, 1, true).clamp_min(1e-12);
                const auto fired = torch::zeros({config.atoms}, torch::kBool)
                                       .index_fill_(0, chosen.masked_select(values > 0), true);
                sinceFired = torch::where(fired, torch::zeros_like(sinceFired), sinceFired + batch);
            }
            if (step % report == 0 || step == config.steps) {
                torch::NoGradGuard noGrad;
                TrainingStep s;
                s.step = step;
                s.loss = error.pow(2).mean().item<float>();
                const auto spread = (xb - xb.mean(0)).pow(2).sum().item<double>();
                s.explainedVariance =
                    spread > 0 ? float(1 - error.pow(2).sum().item<double>() / spread) : 0.f;
                s.deadShare = float(deadCount) / float(config.atoms);
                if (onStep)
                    onStep(s);
                progress.report(double(step) / config.steps,
                    "step " + std::to_string(step) + ", R² " + std::to_string(s.explainedVariance));
                if (lastCheckpoint)
                    *lastCheckpoint = p.toDictionary(config.k);
            }
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("dictionary training failed: " + firstLine(e.what()));
    }
    return p.toDictionary(config.k);
}

std::vector<float> encodeVectors(const SparseDictionary& dictionary, const VectorSet& vectors)
{
    std::vector<torch::Tensor> parts;
    forEachCodeChunk(dictionary, vectorsFor(dictionary, vectors),
        [&](const torch::Tensor&, const torch::Tensor& codes) { parts.push_back(codes); });
    return toVector(torch::cat(parts, 0));
}

VectorSet decodeCodes(const SparseDictionary& dictionary, const std::vector<float>& codes)
{
    torch::NoGradGuard noGrad;
    const Parameters p = Parameters::of(dictionary);
    const int64_t count = int64_t(codes.size()) / std::max(1, dictionary.atoms);
    VectorSet out;
    out.dimensions = dictionary.dimensions;
    out.values = toVector(p.decode(toTensor(codes, {count, dictionary.atoms})));
    return out;
}

VectorSet reconstructVectors(const SparseDictionary& dictionary, const VectorSet& vectors)
{
    const Parameters p = Parameters::of(dictionary);
    std::vector<torch::Tensor> parts;
    forEachCodeChunk(dictionary, vectorsFor(dictionary, vectors),
        [&](const torch::Tensor&, const torch::Tensor& codes) {
            parts.push_back(p.decode(codes));
        });
    VectorSet out;
    out.dimensions = dictionary.dimensions;
    out.values = toVector(torch::cat(parts, 0));
    return out;
}

DictionaryQuality measureDictionary(
    const SparseDictionary& dictionary, const VectorSet& vectors, float denseShare)
{
    const auto x = vectorsFor(dictionary, vectors);
    const int64_t n = x.size(0);
    torch::NoGradGuard noGrad;
    const Parameters p = Parameters::of(dictionary);
    const auto mean = x.to(torch::kDouble).mean(0);
    double error = 0, spread = 0;
    int64_t nonZero = 0;
    auto active = torch::zeros({dictionary.atoms}, torch::kLong);
    forEachCodeChunk(dictionary, x, [&](const torch::Tensor& chunk, const torch::Tensor& codes) {
        error += (p.decode(codes) - chunk).to(torch::kDouble).pow(2).sum().item<double>();
        spread += (chunk.to(torch::kDouble) - mean).pow(2).sum().item<double>();
        const auto on = codes > 0;
        nonZero += on.sum().item<int64_t>();
        active += on.sum(0);
    });
    DictionaryQuality q;
    q.explainedVariance = spread > 0 ? float(1 - error / spread) : 0.f;
    q.meanL0 = float(double(nonZero) / double(n));
    q.deadAtoms = int((active == 0).sum().item<int64_t>());
    q.denseAtoms =
        int((active.to(torch::kDouble) > double(denseShare) * double(n)).sum().item<int64_t>());
    q.firingShare = toVector(active.to(torch::kFloat32) / float(n));
    return q;
}

std::vector<float> conceptActivations(
    const SparseDictionary& dictionary, const VectorSet& vectors, int atom)
{
    if (atom < 0 || atom >= dictionary.atoms)
        throw Error("concept " + std::to_string(atom) + " is not in a dictionary of " +
            std::to_string(dictionary.atoms));
    std::vector<torch::Tensor> parts;
    forEachCodeChunk(dictionary, vectorsFor(dictionary, vectors),
        [&](const torch::Tensor&, const torch::Tensor& codes) {
            parts.push_back(codes.select(1, atom).clone());
        });
    return toVector(torch::cat(parts, 0));
}

ConceptIndex indexConcepts(const SparseDictionary& dictionary, const VectorSet& vectors, int top,
    int bins, Progress& progress)
{
    const auto x = vectorsFor(dictionary, vectors);
    const int64_t n = x.size(0), atoms = dictionary.atoms;
    ConceptIndex index;
    index.atoms = int(atoms);
    index.top = int(std::min<int64_t>(top, n));
    index.bins = bins;
    // Pass 1: the running strongest `top` per atom (merged chunk by chunk), firing counts.
    auto bestValues = torch::empty({0, atoms});
    auto bestRows = torch::empty({0, atoms}, torch::kLong);
    auto fired = torch::zeros({atoms}, torch::kLong);
    int64_t start = 0;
    forEachCodeChunk(dictionary, x, [&](const torch::Tensor& chunk, const torch::Tensor& codes) {
        progress.checkCancelled();
        const int64_t keep = std::min<int64_t>(index.top, codes.size(0));
        const auto [values, rows] = codes.topk(keep, 0);
        const auto allValues = torch::cat({bestValues, values});
        const auto allRows = torch::cat({bestRows, rows + start});
        const auto [kept, order] =
            allValues.topk(std::min<int64_t>(index.top, allValues.size(0)), 0);
        bestValues = kept;
        bestRows = allRows.gather(0, order);
        fired += (codes > 0).sum(0);
        start += chunk.size(0);
        progress.report(0.5 * double(start) / double(n), "indexing concepts");
    });
    const auto maxima = bestValues.size(0) ? bestValues[0].clone() : torch::zeros({atoms});
    // Pass 2: histograms of each atom's non-zero codes over [0, its maximum].
    auto histogram = torch::zeros({atoms * bins}, torch::kLong);
    start = 0;
    forEachCodeChunk(dictionary, x, [&](const torch::Tensor& chunk, const torch::Tensor& codes) {
        progress.checkCancelled();
        const auto where = codes.nonzero();
        const auto atom = where.select(1, 1);
        const auto value = codes.index({where.select(1, 0), atom});
        const auto bin = (value / maxima.index_select(0, atom).clamp_min(1e-12) * bins)
                             .to(torch::kLong)
                             .clamp(0, bins - 1);
        histogram.index_add_(0, atom * bins + bin, torch::ones_like(bin));
        start += chunk.size(0);
        progress.report(0.5 + 0.5 * double(start) / double(n), "indexing concepts");
    });
    // Rows of the top lists where the atom was not active are marked -1.
    const auto topT = bestValues.t().contiguous();
    const auto rowsT =
        torch::where(topT > 0, bestRows.t(), torch::full_like(bestRows.t(), -1)).contiguous();
    index.topActivations = toVector(topT);
    const auto r = rowsT.to(torch::kLong);
    index.topVectors.assign(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
    index.maxActivation = toVector(maxima);
    index.firingShare = toVector(fired.to(torch::kFloat32) / float(n));
    const auto h = histogram.to(torch::kInt);
    index.histogram.assign(h.data_ptr<int32_t>(), h.data_ptr<int32_t>() + h.numel());
    return index;
}

float matchedCosine(const std::vector<float>& a, const std::vector<float>& b, int dimensions)
{
    const int rowsA = int(a.size()) / dimensions, rowsB = int(b.size()) / dimensions;
    if (rowsA == 0 || rowsA > rowsB)
        throw Error("matching needs at most as many directions on the left as on the right");
    const auto unit = [&](const std::vector<float>& v, int rows) {
        auto t = toTensor(v, {rows, dimensions});
        return t / t.norm(2, 1, true).clamp_min(1e-12);
    };
    const auto cosine = unit(a, rowsA).mm(unit(b, rowsB).t()).to(torch::kDouble).contiguous();
    std::vector<double> cost(cosine.data_ptr<double>(), cosine.data_ptr<double>() + cosine.numel());
    for (double& c : cost)
        c = -c;  // largest total cosine = least total cost
    const auto match = minimumCostAssignment(cost, rowsA, rowsB);
    double total = 0;
    for (int r = 0; r < rowsA; ++r)
        total -= cost[size_t(r) * size_t(rowsB) + size_t(match[size_t(r)])];
    return float(total / rowsA);
}

}  // namespace loupe
