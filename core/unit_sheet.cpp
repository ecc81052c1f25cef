#include "core/unit_sheet.h"

#include "core/cv_convert.h"
#include "core/dataset_scan.h"
#include "core/error.h"
#include "core/featurevis_cache.h"
#include "core/json.h"
#include "core/model.h"
#include "core/unit_examples.h"
#include "core/workspace.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>

namespace loupe {
namespace {
constexpr int kGap = 4;
constexpr double kNameScale = 0.4;

std::string unitName(const UnitSheetRow& row)
{
    return row.layer + ":" + std::to_string(row.channel);
}
}  // namespace

std::vector<UnitSheetRow> unitSheet(Model& model, Workspace& workspace,
    const std::string& layerName, const std::vector<int>& channels, int examplesPerUnit,
    int tileSize, Progress& progress)
{
    const LayerInfo& layer = model.layer(layerName);
    std::vector<UnitSheetRow> rows;
    std::vector<int> missing;
    for (int c : channels) {
        if (c < 0 || c >= layer.channels())
            throw Error("channel " + std::to_string(c) + " is out of range for '" + layer.path +
                "' (" + std::to_string(layer.channels()) + " channels)");
        UnitSheetRow row;
        row.layer = layer.path;
        row.channel = c;
        if (auto picture = channelPicture(workspace, layer.path, c))
            row.featureVis = *picture;
        else
            missing.push_back(c);
        rows.push_back(std::move(row));
    }
    if (!missing.empty()) {
        FeatureVisConfig config = thumbnailConfig();
        config.perImageLayer = layer.path;
        config.perImageChannels = missing;
        Progress rendering(
            [&](double f, const std::string& text) {
                progress.report(0.8 * f, "feature visualizations: " + text);
            },
            progress);
        const FeatureVisResult result = renderPerImageInBatches(model, config, 16, rendering);
        for (size_t i = 0; i < missing.size(); ++i) {
            storeFeatureVis(workspace, channelConfig(thumbnailConfig(), layer.path, missing[i]),
                result.images[i]);
            for (auto& row : rows)
                if (row.channel == missing[i])
                    row.featureVis = result.images[i];
        }
    }
    ScanResults scan;  // read once for every row
    try {
        scan = loadScan(workspace, {}, {layer.path});
    } catch (const Error&) {
        // no scan in this workspace: feature visualizations only
    }
    const bool scanned = scan.layers.count(layer.path) > 0;
    for (size_t i = 0; scanned && i < rows.size(); ++i) {
        progress.checkCancelled();
        const UnitExamples examples =
            unitExamples(scan, layer.path, rows[i].channel, examplesPerUnit, false, tileSize, 0);
        for (const auto& tile : examples.top) {
            rows[i].examples.push_back(tile.image);
            rows[i].values.push_back(tile.value);
        }
        progress.report(0.8 + 0.2 * double(i + 1) / double(rows.size()), "dataset examples");
    }
    return rows;
}

RgbImage unitSheetImage(const std::vector<UnitSheetRow>& rows, int tileSize)
{
    size_t examples = 0;
    int labelWidth = 90;  // as wide as the longest unit name
    for (const auto& row : rows) {
        examples = std::max(examples, row.examples.size());
        int baseline = 0;
        labelWidth = std::max(labelWidth,
            cv::getTextSize(unitName(row), cv::FONT_HERSHEY_SIMPLEX, kNameScale, 1, &baseline)
                    .width +
                12);
    }
    const int width = labelWidth + tileSize + 3 * kGap + int(examples) * (tileSize + kGap);
    const int height = std::max<int>(1, int(rows.size())) * (tileSize + kGap) + kGap;
    RgbImage out(width, height);
    std::fill(out.pixels.begin(), out.pixels.end(), 255);
    cv::Mat canvas = rgbMatView(out);
    const auto place = [&](const RgbImage& image, int x, int y) {
        if (image.empty())
            return;
        cv::Mat scaled;
        cv::resize(rgbMatView(image), scaled, cv::Size(tileSize, tileSize), 0, 0, cv::INTER_AREA);
        scaled.copyTo(canvas(cv::Rect(x, y, tileSize, tileSize)));
    };
    for (size_t r = 0; r < rows.size(); ++r) {
        const auto& row = rows[r];
        const int y = kGap + int(r) * (tileSize + kGap);
        cv::putText(canvas, unitName(row), cv::Point(4, y + tileSize / 2), cv::FONT_HERSHEY_SIMPLEX,
            kNameScale, cv::Scalar(20, 20, 20), 1, cv::LINE_AA);
        if (!row.values.empty()) {
            char peak[48];
            std::snprintf(peak, sizeof peak, "max %.3g", double(row.values.front()));
            cv::putText(canvas, peak, cv::Point(4, y + tileSize / 2 + 16), cv::FONT_HERSHEY_SIMPLEX,
                0.35, cv::Scalar(110, 110, 110), 1, cv::LINE_AA);
        }
        place(row.featureVis, labelWidth, y);
        for (size_t e = 0; e < row.examples.size(); ++e)
            place(
                row.examples[e], labelWidth + tileSize + 3 * kGap + int(e) * (tileSize + kGap), y);
    }
    return out;
}

std::string unitSheetSidecar(const std::vector<UnitSheetRow>& rows, const std::string& modelPath,
    const std::string& modelHash, int examplesPerUnit, int tileSize)
{
    Json out = Json::object();
    out["model"] = modelPath;
    out["model_hash"] = modelHash;
    out["layer"] = rows.empty() ? std::string() : rows.front().layer;
    Json units = Json::array();
    for (const auto& row : rows) {
        Json u = Json::object();
        u["channel"] = row.channel;
        u["examples"] = int(row.examples.size());
        Json values = Json::array();
        for (float v : row.values)
            values.push(v);
        u["values"] = values;  // strongest first
        units.push(u);
    }
    out["units"] = units;
    out["examples_per_unit"] = examplesPerUnit;
    out["tile"] = tileSize;
    return out.dump(2);
}

}  // namespace loupe
