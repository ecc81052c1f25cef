#pragma once

#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace loupe::cli {

// What `loupe-cli CMD --help` throws from Args::allowOnly: the options CMD takes.
struct HelpRequested {
    std::vector<std::string> options;
};

// `--name value` and `--flag` options after the subcommand, plus positional arguments.
class Args {
public:
    Args(int argc, char** argv, int first);

    bool has(const std::string& name) const { return options_.count(name) > 0; }
    // Throws loupe::Error naming the missing option.
    std::string required(const std::string& name) const;
    std::string value(const std::string& name, const std::string& fallback = {}) const;
    // Both throw loupe::Error naming the option for text that is not a number, a number
    // outside [minimum, maximum], and (doubleValue) NaN or infinity.
    int intValue(const std::string& name, int fallback,
        int minimum = std::numeric_limits<int>::min(),
        int maximum = std::numeric_limits<int>::max()) const;
    int positiveInt(const std::string& name, int fallback) const
    {
        return intValue(name, fallback, 1);
    }
    double doubleValue(const std::string& name, double fallback) const;
    const std::vector<std::string>& positional() const { return positional_; }
    // Throws when an option not in `known` was given (catches typos like --modle), and
    // HelpRequested, carrying `known`, for --help.
    void allowOnly(const std::vector<std::string>& known) const;

private:
    std::map<std::string, std::string> options_;
    std::vector<std::string> positional_;
};

// Progress for long commands: one line on stderr, rewritten in place (nothing when quiet).
std::function<void(double, const std::string&)> stderrProgress(bool quiet);
void endProgressLine(bool quiet);

// "a,b,,c" -> {"a", "b", "c"}
std::vector<std::string> splitList(const std::string& text);

// "120,80" -> {120, 80}; throws loupe::Error naming the option unless it is two finite numbers.
std::pair<double, double> parseNumberPair(const std::string& text, const std::string& option);

}  // namespace loupe::cli
