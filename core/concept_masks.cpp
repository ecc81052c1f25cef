#include "core/concept_masks.h"

#include "core/colour_names.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/synthetic_shapes.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace loupe {
namespace {

std::string trimmed(std::string s)
{
    const auto notSpace = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
    s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
        s = s.substr(1, s.size() - 2);
    return s;
}

std::vector<std::string> csvFields(const std::string& line)
{
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (char c : line) {
        if (c == '"')
            quoted = !quoted;
        if (c == ',' && !quoted) {
            fields.push_back(trimmed(field));
            field.clear();
        } else {
            field += c;
        }
    }
    fields.push_back(trimmed(field));
    return fields;
}

// The same crop as resizeAndCenterCrop (input_geometry.cpp), by nearest neighbour.
cv::Mat cropLikeTheModel(const cv::Mat& labels, int inputSize)
{
    const double scale = double(inputSize) / std::min(labels.cols, labels.rows);
    const int w = std::max(inputSize, int(std::lround(labels.cols * scale)));
    const int h = std::max(inputSize, int(std::lround(labels.rows * scale)));
    cv::Mat resized;
    cv::resize(labels, resized, cv::Size(w, h), 0, 0, cv::INTER_NEAREST);
    return resized(cv::Rect((w - inputSize) / 2, (h - inputSize) / 2, inputSize, inputSize));
}

}  // namespace

std::vector<std::string> ConceptCatalogue::categories() const
{
    std::vector<std::string> out;
    for (const auto& c : concepts)
        if (std::find(out.begin(), out.end(), c.category) == out.end())
            out.push_back(c.category);
    return out;
}

ConceptCatalogue readConceptCsv(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw Error("cannot read the concept list '" + path + "'");
    ConceptCatalogue catalogue;
    std::string line;
    int lineNumber = 0;
    while (std::getline(in, line)) {
        ++lineNumber;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (trimmed(line).empty())
            continue;
        const auto fields = csvFields(line);
        int label = -1;
        try {
            size_t used = 0;
            label = std::stoi(fields[0], &used);
            if (used != fields[0].size())
                label = -1;
        } catch (...) {
        }
        if (label < 0 && lineNumber == 1)
            continue;  // a header
        const std::string where = "'" + path + "' line " + std::to_string(lineNumber);
        if (fields.size() < 3)
            throw Error(where + ": expected label,name,category");
        if (label <= 0)
            throw Error(where + ": the label must be a positive integer (0 is unlabelled)");
        if (fields[1].empty() || fields[2].empty())
            throw Error(where + ": the name and the category must not be empty");
        if (catalogue.labelToConcept.count(label))
            throw Error(where + ": label " + std::to_string(label) + " is named twice");
        catalogue.labelToConcept[label] = int(catalogue.concepts.size());
        catalogue.concepts.push_back({fields[1], fields[2]});
        catalogue.plane.push_back(1);
    }
    if (catalogue.concepts.empty())
        throw Error("the concept list '" + path + "' names no label");
    return catalogue;
}

ConceptCatalogue makeConceptCatalogue(const ConceptSources& sources)
{
    if (!sources.labelFolder.empty() && sources.labelCsv.empty())
        throw Error("segmentation labels need the CSV that names them (label,name,category)");
    if (!sources.colours && sources.labelCsv.empty())
        throw Error("no concepts: turn on the colour concepts or give labelled images");
    ConceptCatalogue catalogue;
    if (sources.colours) {
        catalogue.colourFirst = 0;
        for (const auto& name : basicColourNames()) {
            catalogue.concepts.push_back({name, "colour"});
            catalogue.plane.push_back(0);
        }
    }
    if (!sources.labelCsv.empty()) {
        const ConceptCatalogue labelled = readConceptCsv(sources.labelCsv);
        const int offset = int(catalogue.concepts.size());
        for (const auto& [label, index] : labelled.labelToConcept)
            catalogue.labelToConcept[label] = index + offset;
        catalogue.concepts.insert(
            catalogue.concepts.end(), labelled.concepts.begin(), labelled.concepts.end());
        catalogue.plane.insert(catalogue.plane.end(), labelled.plane.begin(), labelled.plane.end());
    }
    return catalogue;
}

std::vector<std::int32_t> labelsInModelView(
    const std::string& labelFile, int inputSize, int maskSize)
{
    const cv::Mat raw = cv::imread(labelFile, cv::IMREAD_UNCHANGED);
    if (raw.empty())
        throw Error("cannot read the label image '" + labelFile + "'");
    if (raw.channels() != 1 || (raw.depth() != CV_8U && raw.depth() != CV_16U))
        throw Error("the label image '" + labelFile +
            "' is not one 8- or 16-bit channel (one integer label per pixel)");
    cv::Mat labels;
    raw.convertTo(labels, CV_32S);
    cv::Mat small;
    cv::resize(cropLikeTheModel(labels, inputSize), small, cv::Size(maskSize, maskSize), 0, 0,
        cv::INTER_NEAREST);
    std::vector<std::int32_t> out(size_t(maskSize) * size_t(maskSize));
    for (int y = 0; y < maskSize; ++y)
        std::copy(small.ptr<std::int32_t>(y), small.ptr<std::int32_t>(y) + maskSize,
            out.begin() + std::ptrdiff_t(y) * maskSize);
    return out;
}

ConceptMasks conceptMasksFor(const ConceptCatalogue& catalogue, const ConceptSources& sources,
    const RgbImage& view, int inputSize, const std::string& imageRelativePath, int maskSize)
{
    ConceptMasks masks;
    masks.size = maskSize;
    masks.planes.resize(2);
    const size_t pixels = size_t(maskSize) * size_t(maskSize);
    if (catalogue.colourFirst >= 0) {
        cv::Mat small;
        cv::Mat viewMat(
            view.height, view.width, CV_8UC3, const_cast<std::uint8_t*>(view.pixels.data()));
        cv::resize(viewMat, small, cv::Size(maskSize, maskSize), 0, 0, cv::INTER_AREA);
        RgbImage smallImage(maskSize, maskSize);
        for (int y = 0; y < maskSize; ++y)
            std::copy(small.ptr<std::uint8_t>(y), small.ptr<std::uint8_t>(y) + 3 * maskSize,
                smallImage.pixel(0, y));
        const auto names = nameColours(smallImage);
        auto& plane = masks.planes[0];
        plane.resize(pixels);
        for (size_t i = 0; i < pixels; ++i)
            plane[i] = catalogue.colourFirst + names[i] + 1;
    }
    if (!sources.labelFolder.empty()) {
        const auto file = (std::filesystem::path(sources.labelFolder) /
            std::filesystem::path(imageRelativePath).replace_extension(".png"))
                              .string();
        if (std::filesystem::exists(file)) {
            auto labels = labelsInModelView(file, inputSize, maskSize);
            for (auto& l : labels) {
                const auto it = catalogue.labelToConcept.find(l);
                l = it == catalogue.labelToConcept.end() ? 0 : it->second + 1;
            }
            masks.planes[1] = std::move(labels);
        }
    }
    return masks;
}

// --- the synthetic set ---

const std::vector<Concept>& syntheticConcepts()
{
    static const std::vector<Concept> concepts{{"stripes", "texture"}, {"dots", "texture"},
        {"checkerboard", "texture"}, {"curve", "shape"}, {"circle", "shape"}, {"corner", "shape"}};
    return concepts;
}

namespace {

cv::Scalar randomColour(SeededRandom& random)
{
    return cv::Scalar(random.integer(0, 255), random.integer(0, 255), random.integer(0, 255));
}

// Two colours far enough apart that the pattern is visible.
std::pair<cv::Scalar, cv::Scalar> contrastingColours(SeededRandom& random)
{
    for (;;) {
        const cv::Scalar a = randomColour(random), b = randomColour(random);
        const double d = std::abs(a[0] - b[0]) + std::abs(a[1] - b[1]) + std::abs(a[2] - b[2]);
        if (d > 240)
            return {a, b};
    }
}

// Texture `kind` (0 stripes, 1 dots, 2 checkerboard) over the whole canvas, period in pixels.
cv::Mat textureCanvas(int kind, int size, double period, double degrees, SeededRandom& random)
{
    const auto [fg, bg] = contrastingColours(random);
    cv::Mat canvas(size, size, CV_8UC3, bg);
    const double angle = degrees * M_PI / 180.0, c = std::cos(angle), s = std::sin(angle);
    if (kind == 1) {
        const int radius = std::max(1, int(period * 0.25));
        for (double y = random.uniform(0, period); y < size + period; y += period)
            for (double x = random.uniform(0, period); x < size + period; x += period)
                cv::circle(canvas, cv::Point(int(x), int(y)), radius, fg, cv::FILLED, cv::LINE_AA);
        return canvas;
    }
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const double u = (x * c + y * s) / period, v = (-x * s + y * c) / period;
            const bool on = kind == 0 ? std::fmod(std::floor(u), 2.0) == 0.0
                                      : (int(std::floor(u)) + int(std::floor(v))) % 2 == 0;
            if (on) {
                auto& p = canvas.at<cv::Vec3b>(y, x);
                p = cv::Vec3b(cv::saturate_cast<uchar>(fg[0]), cv::saturate_cast<uchar>(fg[1]),
                    cv::saturate_cast<uchar>(fg[2]));
            }
        }
    return canvas;
}

}  // namespace

SyntheticConceptImage renderSyntheticConceptImage(int index, int size, std::uint64_t seed)
{
    SeededRandom random(seed * 1000003ULL + std::uint64_t(index) * 7919ULL + 17);
    const double unit = size / 224.0;  // lengths below are for a 224 px image
    // Background: a random mid colour with blurred noise, so no concept is a flat field.
    cv::Mat image(size, size, CV_8UC3, randomColour(random) * 0.5 + cv::Scalar(64, 64, 64));
    cv::Mat noise(size, size, CV_32FC3), withNoise;
    cv::RNG rng(seed + std::uint64_t(index));
    rng.fill(noise, cv::RNG::NORMAL, cv::Scalar(0, 0, 0), cv::Scalar(30, 30, 30));
    cv::GaussianBlur(noise, noise, cv::Size(0, 0), 1.5 * unit + 0.5);
    image.convertTo(withNoise, CV_32FC3);
    withNoise += noise;
    withNoise.convertTo(image, CV_8UC3);
    cv::Mat labels(size, size, CV_8U, cv::Scalar(0));

    // A texture patch: every third image each kind, a rectangle of 35-65 % of the side.
    const int texture = index % 3;
    const int w = int(size * random.uniform(0.35, 0.65)),
              h = int(size * random.uniform(0.35, 0.65));
    const int x0 = random.integer(0, size - w), y0 = random.integer(0, size - h);
    const double period = unit * random.uniform(6, 18);
    const double degrees = texture == 1 ? 0 : 45.0 * random.integer(0, 3);
    const cv::Mat canvas = textureCanvas(texture, size, period, degrees, random);
    const cv::Rect patch(x0, y0, w, h);
    canvas(patch).copyTo(image(patch));
    labels(patch).setTo(texture + 1);

    // A shape: curve (an open arc), circle or corner, stroked in a contrasting colour.
    const int shape = (index / 3) % 3;
    const cv::Scalar ink = randomColour(random);
    const int thickness = std::max(1, int(std::lround(unit * random.uniform(2, 5))));
    const double radius = size * random.uniform(0.12, 0.25);
    const cv::Point centre(random.integer(int(radius), int(size - radius)),
        random.integer(int(radius), int(size - radius)));
    cv::Mat stroke(size, size, CV_8U, cv::Scalar(0));
    const double rotation = random.uniform(0, 360);
    if (shape == 0) {
        cv::ellipse(stroke, centre, cv::Size(int(radius), int(radius)), rotation, 0,
            random.uniform(70, 140), cv::Scalar(255), thickness, cv::LINE_8);
    } else if (shape == 1) {
        cv::circle(stroke, centre, int(radius), cv::Scalar(255), thickness, cv::LINE_8);
    } else {
        const double opening = random.uniform(60, 120) * M_PI / 180, a = rotation * M_PI / 180;
        const cv::Point p1(
            centre.x + int(radius * std::cos(a)), centre.y + int(radius * std::sin(a)));
        const cv::Point p2(centre.x + int(radius * std::cos(a + opening)),
            centre.y + int(radius * std::sin(a + opening)));
        cv::line(stroke, centre, p1, cv::Scalar(255), thickness, cv::LINE_8);
        cv::line(stroke, centre, p2, cv::Scalar(255), thickness, cv::LINE_8);
    }
    image.setTo(ink, stroke);
    labels.setTo(3 + shape + 1, stroke);

    SyntheticConceptImage out;
    out.image = RgbImage(size, size);
    for (int y = 0; y < size; ++y)
        std::copy(image.ptr<std::uint8_t>(y), image.ptr<std::uint8_t>(y) + 3 * size,
            out.image.pixel(0, y));
    out.labels.assign(labels.datastart, labels.dataend);
    return out;
}

void writeSyntheticConceptSet(
    const std::string& folder, int count, int size, std::uint64_t seed, Progress& progress)
{
    if (count < 1 || size < 16)
        throw Error("the synthetic set needs at least one image of at least 16 pixels");
    namespace fs = std::filesystem;
    std::error_code error;
    fs::create_directories(fs::path(folder) / "images", error);
    fs::create_directories(fs::path(folder) / "labels", error);
    if (error)
        throw Error("cannot create '" + folder + "': " + error.message());
    {
        std::ofstream csv(fs::path(folder) / "concepts.csv");
        csv << "label,name,category\n";
        const auto& concepts = syntheticConcepts();
        for (size_t i = 0; i < concepts.size(); ++i)
            csv << i + 1 << ',' << concepts[i].name << ',' << concepts[i].category << '\n';
        if (!csv)
            throw Error("cannot write '" + (fs::path(folder) / "concepts.csv").string() + "'");
    }
    for (int i = 0; i < count; ++i) {
        progress.checkCancelled();
        const auto sample = renderSyntheticConceptImage(i, size, seed);
        char name[32];
        std::snprintf(name, sizeof name, "%05d.png", i);
        saveImage(sample.image, (fs::path(folder) / "images" / name).string());
        const cv::Mat labels(size, size, CV_8U, const_cast<std::uint8_t*>(sample.labels.data()));
        if (!cv::imwrite((fs::path(folder) / "labels" / name).string(), labels))
            throw Error("cannot write the labels in '" + folder + "'");
        progress.report(double(i + 1) / count, "rendered " + std::to_string(i + 1) + " images");
    }
}

}  // namespace loupe
