#pragma once

#include <atomic>
#include <functional>
#include <string>

namespace loupe {

// What a long computation needs from whoever runs it: a place to report progress and a
// cancellation flag to poll between steps. Core functions take it by reference so that the
// GUI's job runner, the CLI and tests can all drive them synchronously.
class Progress {
public:
    using Callback = std::function<void(double fraction, const std::string& text)>;

    Progress() = default;
    explicit Progress(Callback callback) : callback_(std::move(callback)) {}
    // A stage of `parent`'s work: reports through `callback` (which usually maps the fraction
    // into the parent's range) and counts as cancelled when the parent is.
    Progress(Callback callback, const Progress& parent)
        : callback_(std::move(callback)), parent_(&parent)
    {
    }

    void report(double fraction, const std::string& text = {}) const
    {
        if (callback_)
            callback_(fraction, text);
    }
    void cancel() { cancelled_.store(true); }
    bool isCancelled() const { return cancelled_.load() || (parent_ && parent_->isCancelled()); }
    // Throws loupe::Cancelled when cancellation was requested.
    void checkCancelled() const;

private:
    Callback callback_;
    std::atomic<bool> cancelled_{false};
    const Progress* parent_ = nullptr;
};

}  // namespace loupe
