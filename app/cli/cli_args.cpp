#include "app/cli/cli_args.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <iostream>

namespace loupe::cli {

Args::Args(int argc, char** argv, int first)
{
    for (int i = first; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("--", 0) == 0) {
            std::string name = arg.substr(2), value;
            if (const auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
                value = argv[++i];
            }
            options_[name] = value;
        } else {
            positional_.push_back(arg);
        }
    }
}

std::string Args::required(const std::string& name) const
{
    const auto it = options_.find(name);
    if (it == options_.end() || it->second.empty())
        throw Error("missing --" + name);
    return it->second;
}

std::string Args::value(const std::string& name, const std::string& fallback) const
{
    const auto it = options_.find(name);
    return it == options_.end() || it->second.empty() ? fallback : it->second;
}

int Args::intValue(const std::string& name, int fallback, int minimum, int maximum) const
{
    const std::string v = value(name);
    if (v.empty())
        return fallback;
    int n = 0;
    try {
        size_t used = 0;
        n = std::stoi(v, &used);
        if (used != v.size())
            throw Error("");
    } catch (...) {
        throw Error("--" + name + " expects an integer, got '" + v + "'");
    }
    if (n < minimum)
        throw Error("--" + name + " must be at least " + std::to_string(minimum) + ", got " + v);
    if (n > maximum)
        throw Error("--" + name + " must be at most " + std::to_string(maximum) + ", got " + v);
    return n;
}

double Args::doubleValue(const std::string& name, double fallback) const
{
    const std::string v = value(name);
    if (v.empty())
        return fallback;
    try {
        size_t used = 0;
        const double d = std::stod(v, &used);
        if (used == v.size() && std::isfinite(d))
            return d;
    } catch (...) {
    }
    throw Error("--" + name + " expects a finite number, got '" + v + "'");
}

void Args::allowOnly(const std::vector<std::string>& known) const
{
    if (has("help"))
        throw HelpRequested{known};
    for (const auto& [name, value] : options_)
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            std::string list;
            for (const auto& k : known)
                list += (list.empty() ? "--" : ", --") + k;
            throw Error("unknown option --" + name + " (this command takes " + list + ")");
        }
}

std::function<void(double, const std::string&)> stderrProgress(bool quiet)
{
    return [quiet](double, const std::string& text) {
        if (!quiet)
            std::cerr << "\r" << text << "      " << std::flush;
    };
}

void endProgressLine(bool quiet)
{
    if (!quiet)
        std::cerr << "\n";
}

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> out;
    std::string item;
    for (char c : text + ",") {
        if (c != ',') {
            item += c;
        } else if (!item.empty()) {
            out.push_back(item);
            item.clear();
        }
    }
    return out;
}

std::pair<double, double> parseNumberPair(const std::string& text, const std::string& option)
{
    const auto parts = splitList(text);
    try {
        if (parts.size() == 2) {
            size_t usedA = 0, usedB = 0;
            const double a = std::stod(parts[0], &usedA), b = std::stod(parts[1], &usedB);
            if (usedA == parts[0].size() && usedB == parts[1].size() && std::isfinite(a) &&
                std::isfinite(b))
                return {a, b};
        }
    } catch (...) {
    }
    throw Error("--" + option + " expects two finite numbers, e.g. 120,80; got '" + text + "'");
}

}  // namespace loupe::cli
