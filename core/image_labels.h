#pragma once
// The class of a labelled photo, for accuracy tables: from the folder it sits in
// (".../tabby/x.jpg") or from its file name as ImageNet photos are named
// ("n02123045_tabby.JPEG"), matched against the model's labels, or against a synset list
// ("n02123045 tabby, tabby cat" per line, in class order) when names are ambiguous.

#include <map>
#include <string>
#include <vector>

namespace loupe {

class ImageLabeler {
public:
    // labels: the model's class names; wnids: optional synset ids in class order.
    explicit ImageLabeler(
        const std::vector<std::string>& labels, const std::vector<std::string>& wnids = {});

    // The first word of each line of a synset file, in order. Throws loupe::Error.
    static std::vector<std::string> readSynsetFile(const std::string& path);

    // Class index of a photo (path relative to its folder), or -1 when neither its folder nor
    // its file name names exactly one class.
    int classOf(const std::string& relativePath) const;

private:
    int byName(const std::string& name) const;
    std::map<std::string, int> names_;  // normalised name -> class, -2 when ambiguous
    std::map<std::string, int> wnids_;
};

}  // namespace loupe
