#pragma once

#include "core/error.h"
#include "core/workspace.h"

#include <functional>
#include <string>

namespace loupe {

// The workspace as a memo for results that take seconds to minutes: the stored value when it
// reads back, else make()'s, stored (unless larger than `largest` bytes) and returned. An
// unreadable entry (a format from another version, a damaged blob) is made again and replaced;
// when make() throws (cancelled, failed) nothing is stored; when storing fails (a full disk)
// the value is still returned (Workspace::cacheBestEffort).
template <typename T>
T readOrMake(Workspace& workspace, const std::string& kind, const std::string& key, bool* fromCache,
    const std::function<T(const std::string&)>& read, const std::function<T()>& make,
    const std::function<std::string(const T&)>& write, size_t largest = size_t(512) << 20)
{
    if (fromCache)
        *fromCache = false;
    if (const auto stored = workspace.get(kind, key)) {
        try {
            T value = read(*stored);
            if (fromCache)
                *fromCache = true;
            return value;
        } catch (const Error&) {
            // made again below
        }
    }
    T value = make();
    const std::string bytes = write(value);
    if (bytes.size() <= largest)
        workspace.cacheBestEffort([&] { workspace.put(kind, key, bytes); });
    return value;
}

// The same for an optional workspace: without one the value is made and nothing is stored.
template <typename T>
T readOrMake(Workspace* workspace, const std::string& kind, const std::string& key, bool* fromCache,
    const std::function<T(const std::string&)>& read, const std::function<T()>& make,
    const std::function<std::string(const T&)>& write)
{
    if (!workspace) {
        if (fromCache)
            *fromCache = false;
        return make();
    }
    return readOrMake<T>(*workspace, kind, key, fromCache, read, make, write);
}

}  // namespace loupe
