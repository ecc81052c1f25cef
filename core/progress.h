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

    void report(double fraction, const std::string& text = {}) const
    {
        if (callback_)
            callback_(fraction, text);
    }
    void cancel() { cancelled_.store(true); }
    bool isCancelled() const { return cancelled_.load(); }
    // Throws loupe::Cancelled when cancellation was requested.
    void checkCancelled() const;

private:
    Callback callback_;
    std::atomic<bool> cancelled_{false};
};

} // namespace loupe
