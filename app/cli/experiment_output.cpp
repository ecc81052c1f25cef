#include "app/cli/experiment_output.h"

#include "core/colormap.h"
#include "core/image_io.h"

#include <algorithm>

namespace loupe::cli {

Json predictionsJson(const std::vector<Prediction>& predictions)
{
    Json out = Json::array();
    for (const auto& p : predictions) {
        Json j = Json::object();
        j["class"] = p.index;
        j["label"] = p.label;
        j["probability"] = p.probability;
        out.push(j);
    }
    return out;
}

Json floatsJson(const std::vector<float>& values)
{
    Json out = Json::array();
    for (float v : values)
        out.push(v);
    return out;
}

void saveStrip(const std::vector<RgbImage>& images, const std::string& path)
{
    int cell = 0;
    for (const auto& image : images)
        cell = std::max(cell, image.width);
    saveImage(tileGrid(images, int(images.size()), cell, 4, 255), path);
}

}  // namespace loupe::cli
