#pragma once

#include <stdexcept>
#include <string>

namespace loupe {

// The one exception type the core lets out. Torch and OpenCV exceptions are caught at the
// core's API boundary and rethrown as this, with a message a user can act on.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Thrown when a job notices its cancellation flag; callers treat it as "stopped", not "failed".
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

// First line of a (possibly multi-line, backtrace-laden) torch message; for a TorchScript
// interpreter failure, the line that says what failed (e.g. "RuntimeError: ... too small").
std::string firstLine(const std::string& message);

}  // namespace loupe
