#pragma once
// Little helpers for the workspace's binary blobs (scan statistics, atlases): plain values
// appended in machine order, read back with bounds checks so that a truncated or corrupt blob
// is a loupe::Error, never a crash.

#include "core/error.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace loupe {

class BinaryWriter {
public:
    template <typename T> void put(const T& v)
    {
        out.append(reinterpret_cast<const char*>(&v), sizeof(T));
    }
    void putString(const std::string& s)
    {
        put(std::uint64_t(s.size()));
        out.append(s);
    }
    template <typename T> void putVector(const std::vector<T>& values)
    {
        put(std::uint64_t(values.size()));
        if (!values.empty())
            out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
    }
    void putStrings(const std::vector<std::string>& values)
    {
        put(std::uint64_t(values.size()));
        for (const auto& s : values)
            putString(s);
    }
    std::string out;
};

class BinaryReader {
public:
    // `what` names the blob in error messages ("stored statistics").
    BinaryReader(const std::string& bytes, std::string what) : s_(bytes), what_(std::move(what)) {}
    template <typename T> T get()
    {
        need(sizeof(T));
        T v;
        std::memcpy(&v, s_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    std::string getString()
    {
        const auto n = get<std::uint64_t>();
        need(n);
        std::string s = s_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    template <typename T> std::vector<T> getVector()
    {
        const auto n = get<std::uint64_t>();
        if (n > (s_.size() - pos_) / sizeof(T))
            corrupt();
        std::vector<T> values(n);
        if (n > 0)  // an empty vector's data() may be null, which memcpy must never see
            std::memcpy(values.data(), s_.data() + pos_, n * sizeof(T));
        pos_ += n * sizeof(T);
        return values;
    }
    std::vector<std::string> getStrings()
    {
        const auto n = get<std::uint64_t>();
        if (n > s_.size() - pos_)  // every string takes at least its length field
            corrupt();
        std::vector<std::string> values;
        for (std::uint64_t i = 0; i < n; ++i)
            values.push_back(getString());
        return values;
    }
    bool atEnd() const { return pos_ == s_.size(); }
    [[noreturn]] void corrupt() const { throw Error(what_ + " are truncated or corrupt"); }

private:
    void need(std::uint64_t n) const
    {
        if (n > s_.size() - pos_)
            corrupt();
    }
    const std::string& s_;
    std::string what_;
    size_t pos_ = 0;
};

}  // namespace loupe
