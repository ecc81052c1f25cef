#include "core/image_labels.h"

#include "core/error.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace loupe {
namespace {

// "Great_White-shark " -> "great white shark"
std::string normalised(const std::string& name)
{
    std::string out;
    for (char c : name) {
        const char x = (c == '_' || c == '-') ? ' ' : char(std::tolower((unsigned char)c));
        if (x == ' ' && (out.empty() || out.back() == ' '))
            continue;
        out += x;
    }
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

bool looksLikeWnid(const std::string& s)
{
    if (s.size() != 9 || s[0] != 'n')
        return false;
    for (size_t i = 1; i < s.size(); ++i)
        if (!std::isdigit((unsigned char)s[i]))
            return false;
    return true;
}

}  // namespace

ImageLabeler::ImageLabeler(
    const std::vector<std::string>& labels, const std::vector<std::string>& wnids)
{
    const auto add = [this](const std::string& name, int index) {
        const std::string key = normalised(name);
        if (key.empty())
            return;
        const auto it = names_.find(key);
        if (it == names_.end())
            names_[key] = index;
        else if (it->second != index)
            it->second = -2;
    };
    for (size_t i = 0; i < labels.size(); ++i) {
        add(labels[i], int(i));
        const auto comma = labels[i].find(',');
        if (comma != std::string::npos)
            add(labels[i].substr(0, comma), int(i));  // "tench, Tinca tinca" -> "tench"
    }
    for (size_t i = 0; i < wnids.size(); ++i)
        wnids_[wnids[i]] = int(i);
}

std::vector<std::string> ImageLabeler::readSynsetFile(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw Error("cannot read the synset list '" + path + "'");
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string first;
        if (words >> first)
            out.push_back(first);
    }
    if (out.empty())
        throw Error("the synset list '" + path + "' is empty");
    return out;
}

int ImageLabeler::byName(const std::string& name) const
{
    const auto it = names_.find(normalised(name));
    return it == names_.end() || it->second < 0 ? -1 : it->second;
}

int ImageLabeler::classOf(const std::string& relativePath) const
{
    const std::filesystem::path path(relativePath);
    const std::string stem = path.stem().string();
    const auto underscore = stem.find('_');
    const std::string head = stem.substr(0, underscore);
    if (looksLikeWnid(head)) {
        if (const auto it = wnids_.find(head); it != wnids_.end())
            return it->second;
        if (underscore != std::string::npos)
            if (const int k = byName(stem.substr(underscore + 1)); k >= 0)
                return k;
    }
    const std::string folder = path.parent_path().filename().string();
    if (!folder.empty()) {
        if (const auto it = wnids_.find(folder); it != wnids_.end())
            return it->second;
        if (const int k = byName(folder); k >= 0)
            return k;
    }
    return byName(stem);
}

}  // namespace loupe
