#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace loupe {

// Streaming, mergeable statistics of one channel over a dataset. Every part merges exactly,
// so shards of a huge dataset scanned by separate processes or machines combine into the
// statistics of the whole:
//  - counts, sums and sums of squares add;
//  - histograms use fixed bins (a signed-log scale chosen once for all values) and add;
//  - top-k / bottom-k lists merge by keeping the k best of the union;
//  - reservoirs (uniform samples) merge by drawing from each side in proportion to the
//    number of values it has seen (weighted reservoir merge), with a deterministic seed.
// Image ids are indices into the scan's image list; merging shards from different lists
// requires re-numbering one side first (offset its ids).

struct Example {
    float value = 0.f;
    std::int32_t image = -1;
    std::int16_t x = 0;
    std::int16_t y = 0;
};

// The k largest (or smallest) values seen, with where they were.
class TopK {
public:
    TopK(int k = 32, bool largest = true) : k_(k), largest_(largest) {}
    void offer(const Example& e);
    void merge(const TopK& other);
    std::vector<Example> sorted() const;  // best first
    int k() const { return k_; }
    bool largest() const { return largest_; }
    const std::vector<Example>& items() const { return items_; }
    std::vector<Example>& items() { return items_; }

private:
    bool better(const Example& a, const Example& b) const;
    int k_;
    bool largest_;
    std::vector<Example> items_;  // heap with the worst kept example on top
};

// Fixed signed-log bins read straight from the float's bits: the exponent and the top four
// mantissa bits give 16 bins per octave from 2^-12 to 2^20 on each side of zero (smaller
// magnitudes share the innermost bin). Exact for merging, and cheap enough to bin every
// position of every channel (integer operations only, in C++ and in torch alike).
class Histogram {
public:
    static constexpr int kBins = 1024;
    static constexpr int kMinExponent = -12;
    static constexpr int kLevels = kBins / 2;
    static int binOf(float value)  // inline: called for every position of every channel
    {
        if (value != value)  // NaN
            return kLevels;
        std::uint32_t bits;
        const float magnitude = value < 0 ? -value : value;
        std::memcpy(&bits, &magnitude, sizeof bits);
        const int exponent = int(bits >> 23) - 127;
        const int mantissa = int((bits >> 19) & 15u);
        int level = (exponent - kMinExponent) * 16 + mantissa;
        level = level < 0 ? 0 : (level > kLevels - 1 ? kLevels - 1 : level);
        return value < 0 ? kLevels - 1 - level : kLevels + level;
    }
    static float binLow(int bin);
    static float binHigh(int bin);

    Histogram() : counts_(kBins, 0) {}
    void add(int bin, std::uint64_t count) { counts_[size_t(bin)] += count; }
    void merge(const Histogram& other);
    std::uint64_t total() const;
    const std::vector<std::uint64_t>& counts() const { return counts_; }
    std::vector<std::uint64_t>& counts() { return counts_; }

private:
    std::vector<std::uint64_t> counts_;
};

// A uniform sample of the values seen (Vitter's algorithm R), deterministic for a seed.
class Reservoir {
public:
    Reservoir(int capacity = 256, std::uint64_t seed = 1)
        : capacity_(capacity), state_(seed * 0x9E3779B97F4A7C15ULL + 1)
    {
    }
    void offer(const Example& e);
    void merge(const Reservoir& other);
    std::uint64_t seen() const { return seen_; }
    const std::vector<Example>& items() const { return items_; }
    std::vector<Example>& items() { return items_; }
    void setSeen(std::uint64_t seen) { seen_ = seen; }

private:
    std::uint64_t nextRandom();
    int capacity_;
    std::uint64_t state_;
    std::uint64_t seen_ = 0;
    std::vector<Example> items_;
};

struct ChannelStatistics {
    std::uint64_t count = 0;  // positions seen
    std::uint64_t positive = 0;  // positions with value > 0
    double sum = 0;
    double sumOfSquares = 0;
    Histogram histogram;
    TopK top;
    TopK bottom;
    Reservoir reservoir;

    ChannelStatistics(int k = 32, int reservoirSize = 256, std::uint64_t seed = 1)
        : top(k, true), bottom(k, false), reservoir(reservoirSize, seed)
    {
    }
    double mean() const { return count ? sum / double(count) : 0.0; }
    double standardDeviation() const;
    double fractionActive() const { return count ? double(positive) / double(count) : 0.0; }
    void merge(const ChannelStatistics& other);
};

// Binary (de)serialisation for the workspace; throws loupe::Error on corrupt data.
std::string serialize(const std::vector<ChannelStatistics>& channels);
std::vector<ChannelStatistics> deserializeChannelStatistics(const std::string& bytes);

}  // namespace loupe
