#include "core/class_names.h"

#include "core/error.h"
#include "core/model.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace loupe {
namespace {

std::string lower(std::string s)
{
    std::transform(
        s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

}  // namespace

int resolveClass(const Model& model, const std::string& text)
{
    const int classes = model.numClasses();
    if (classes <= 0)
        throw Error("this model has no class output");
    try {
        size_t used = 0;
        const int index = std::stoi(text, &used);
        if (used == text.size()) {
            if (index < 0 || index >= classes)
                throw Error(
                    "class " + text + " is out of range (0.." + std::to_string(classes - 1) + ")");
            return index;
        }
    } catch (const Error&) {
        throw;
    } catch (...) {
    }
    const std::string wanted = lower(text);
    std::vector<int> partial;
    for (int i = 0; i < classes; ++i) {
        const std::string label = lower(model.classLabel(i));
        if (label == wanted)
            return i;
        if (!wanted.empty() && label.find(wanted) != std::string::npos)
            partial.push_back(i);
    }
    if (partial.size() == 1)
        return partial.front();
    if (partial.empty())
        throw Error("no class is called '" + text + "'");
    std::string names;
    for (size_t i = 0; i < partial.size() && i < 5; ++i)
        names += (i ? ", " : "") + model.classLabel(partial[i]) + " (" +
            std::to_string(partial[i]) + ")";
    throw Error(
        "'" + text + "' matches several classes: " + names + (partial.size() > 5 ? ", …" : ""));
}

}  // namespace loupe
