#include "core/unit_statistics.h"

#include "core/binary_io.h"
#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace loupe {
bool TopK::better(const Example& a, const Example& b) const
{
    if (a.value != b.value)
        return largest_ ? a.value > b.value : a.value < b.value;
    // Ties go to the earlier image and position, as a scan in listing order offers them: so
    // shards merged in any order keep the same examples as one pass (a dead channel's top-k
    // is all ties).
    if (a.image != b.image)
        return a.image < b.image;
    return a.y != b.y ? a.y < b.y : a.x < b.x;
}

void TopK::offer(const Example& e)
{
    // Heap ordered so that the worst kept example is at the front.
    const auto worstFirst = [this](const Example& a, const Example& b) { return better(a, b); };
    if (int(items_.size()) < k_) {
        items_.push_back(e);
        std::push_heap(items_.begin(), items_.end(), worstFirst);
    } else if (!items_.empty() && better(e, items_.front())) {
        std::pop_heap(items_.begin(), items_.end(), worstFirst);
        items_.back() = e;
        std::push_heap(items_.begin(), items_.end(), worstFirst);
    }
}

void TopK::merge(const TopK& other)
{
    for (const auto& e : other.items_)
        offer(e);
}

std::vector<Example> TopK::sorted() const
{
    std::vector<Example> out = items_;
    std::sort(out.begin(), out.end(), [this](const Example& a, const Example& b) {
        if (a.value != b.value)
            return better(a, b);
        return a.image < b.image;  // stable order for ties
    });
    return out;
}

namespace {

// Lower edge of a magnitude level (level 0 starts at zero).
double levelLow(int level)
{
    if (level <= 0)
        return 0.0;
    return std::ldexp(1.0 + (level % 16) / 16.0, Histogram::kMinExponent + level / 16);
}

double levelHigh(int level)
{
    if (level >= Histogram::kLevels - 1)
        return double(std::numeric_limits<float>::max());
    return std::ldexp(1.0 + (level % 16 + 1) / 16.0, Histogram::kMinExponent + level / 16);
}

}  // namespace

float Histogram::binLow(int bin)
{
    return bin >= kLevels ? float(levelLow(bin - kLevels)) : -float(levelHigh(kLevels - 1 - bin));
}

float Histogram::binHigh(int bin)
{
    return bin >= kLevels ? float(levelHigh(bin - kLevels)) : -float(levelLow(kLevels - 1 - bin));
}

void Histogram::merge(const Histogram& other)
{
    for (int i = 0; i < kBins; ++i)
        counts_[size_t(i)] += other.counts_[size_t(i)];
}

std::uint64_t Histogram::total() const
{
    std::uint64_t n = 0;
    for (auto c : counts_)
        n += c;
    return n;
}

std::uint64_t Reservoir::nextRandom()
{
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
}

void Reservoir::offer(const Example& e)
{
    ++seen_;
    if (int(items_.size()) < capacity_) {
        items_.push_back(e);
        return;
    }
    const std::uint64_t slot = nextRandom() % seen_;
    if (slot < std::uint64_t(capacity_))
        items_[size_t(slot)] = e;
}

void Reservoir::merge(const Reservoir& other)
{
    if (other.seen_ == 0)
        return;
    if (seen_ == 0) {
        items_ = other.items_;
        seen_ = other.seen_;
        return;
    }
    // Each output slot comes from a side with probability proportional to what it saw.
    std::vector<Example> mine = items_, theirs = other.items_;
    std::vector<Example> merged;
    const std::uint64_t total = seen_ + other.seen_;
    while (int(merged.size()) < capacity_ && (!mine.empty() || !theirs.empty())) {
        const bool fromMine = theirs.empty() || (!mine.empty() && nextRandom() % total < seen_);
        auto& source = fromMine ? mine : theirs;
        const size_t pick = size_t(nextRandom() % source.size());
        merged.push_back(source[pick]);
        source[pick] = source.back();
        source.pop_back();
    }
    items_ = std::move(merged);
    seen_ = total;
}

double ChannelStatistics::standardDeviation() const
{
    if (count < 2)
        return 0;
    const double m = mean();
    return std::sqrt(std::max(0.0, sumOfSquares / double(count) - m * m));
}

void ChannelStatistics::merge(const ChannelStatistics& other)
{
    count += other.count;
    positive += other.positive;
    sum += other.sum;
    sumOfSquares += other.sumOfSquares;
    histogram.merge(other.histogram);
    top.merge(other.top);
    bottom.merge(other.bottom);
    reservoir.merge(other.reservoir);
}

namespace {

constexpr std::uint32_t kMagic = 0x4C535431;  // "LST1"

// Examples are stored field by field (value, image, x, y) in the statistics' fixed layout.
void putExamples(BinaryWriter& w, const std::vector<Example>& items)
{
    w.put(std::uint32_t(items.size()));
    for (const auto& e : items) {
        w.put(e.value);
        w.put(e.image);
        w.put(e.x);
        w.put(e.y);
    }
}

std::vector<Example> getExamples(BinaryReader& r)
{
    const auto n = r.get<std::uint32_t>();
    if (n > 1u << 20)
        r.corrupt();
    std::vector<Example> items(n);
    for (auto& e : items) {
        e.value = r.get<float>();
        e.image = r.get<std::int32_t>();
        e.x = r.get<std::int16_t>();
        e.y = r.get<std::int16_t>();
    }
    return items;
}

}  // namespace

std::string serialize(const std::vector<ChannelStatistics>& channels)
{
    BinaryWriter w;
    w.put(kMagic);
    w.put(std::uint32_t(channels.size()));
    for (const auto& c : channels) {
        w.put(c.count);
        w.put(c.positive);
        w.put(c.sum);
        w.put(c.sumOfSquares);
        w.put(std::int32_t(c.top.k()));
        putExamples(w, c.top.items());
        putExamples(w, c.bottom.items());
        w.put(c.reservoir.seen());
        putExamples(w, c.reservoir.items());
        // Histograms are sparse: store (bin, count) pairs.
        std::uint32_t nonzero = 0;
        for (auto n : c.histogram.counts())
            nonzero += n != 0;
        w.put(nonzero);
        for (int b = 0; b < Histogram::kBins; ++b)
            if (c.histogram.counts()[size_t(b)]) {
                w.put(std::uint16_t(b));
                w.put(c.histogram.counts()[size_t(b)]);
            }
    }
    return w.out;
}

std::vector<ChannelStatistics> deserializeChannelStatistics(const std::string& bytes)
{
    BinaryReader r(bytes, "stored statistics");
    if (r.get<std::uint32_t>() != kMagic)
        throw Error("stored statistics have an unknown format");
    const auto n = r.get<std::uint32_t>();
    if (n > 1u << 20)
        throw Error("stored statistics are corrupt");
    std::vector<ChannelStatistics> out;
    out.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        ChannelStatistics c;
        c.count = r.get<std::uint64_t>();
        c.positive = r.get<std::uint64_t>();
        c.sum = r.get<double>();
        c.sumOfSquares = r.get<double>();
        const int k = r.get<std::int32_t>();
        c.top = TopK(k, true);
        c.bottom = TopK(k, false);
        c.top.items() = getExamples(r);
        c.bottom.items() = getExamples(r);
        // Re-establish the heap property the lists had when saved.
        for (auto* list : {&c.top, &c.bottom}) {
            auto items = list->items();
            *list = TopK(k, list->largest());
            for (const auto& e : items)
                list->offer(e);
        }
        c.reservoir.setSeen(r.get<std::uint64_t>());
        c.reservoir.items() = getExamples(r);
        const auto nonzero = r.get<std::uint32_t>();
        for (std::uint32_t b = 0; b < nonzero; ++b) {
            const auto bin = r.get<std::uint16_t>();
            const auto count = r.get<std::uint64_t>();
            if (bin >= Histogram::kBins)
                throw Error("stored statistics are corrupt");
            c.histogram.counts()[bin] = count;
        }
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace loupe
