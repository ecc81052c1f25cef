#include "core/trust_report.h"

#include "core/attribution_methods.h"
#include "core/cv_convert.h"
#include "core/tuning_figures.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace loupe {
namespace {

struct Stats {
    double mean = 0, sd = 0;
    int n = 0;
};

Stats stats(const std::vector<double>& values)
{
    Stats s;
    s.n = int(values.size());
    if (values.empty()) {
        s.mean = s.sd = std::nan("");
        return s;
    }
    for (double v : values)
        s.mean += v;
    s.mean /= s.n;
    for (double v : values)
        s.sd += (v - s.mean) * (v - s.mean);
    s.sd = s.n > 1 ? std::sqrt(s.sd / (s.n - 1)) : 0;
    return s;
}

// The named metrics of one sample (NaN where it does not apply).
std::vector<std::pair<std::string, double>> metricsOf(const TrustSample& s)
{
    const double none = std::nan("");
    std::vector<std::pair<std::string, double>> m = {
        {"deletion_auc", s.metrics.deletion.auc},
        {"insertion_auc", s.metrics.insertion.auc},
        {"sparseness_gini", s.metrics.sparseness},
        {"complexity", s.metrics.complexity},
        {"completeness_gap", s.metrics.hasCompleteness ? s.metrics.completenessGap : none},
    };
    if (s.sanity && !s.sanity->cascade.empty()) {
        const auto& half = s.sanity
                               ->cascade[size_t(std::clamp<int>(
                                   s.sanity->upperHalfStep, 0, int(s.sanity->cascade.size()) - 1))]
                               .similarity;
        m.push_back({"upper_half_randomised_spearman", half.spearman});
        const auto& last = s.sanity->cascade.back().similarity;
        m.push_back({"randomised_spearman", last.spearman});
        m.push_back({"randomised_ssim", last.ssim});
        m.push_back({"randomised_top_overlap", last.topOverlap});
        m.push_back({"random_target_spearman",
            s.sanity->hasRandomTarget ? s.sanity->randomTargetSimilarity.spearman : none});
        m.push_back({"flagged", s.sanity->flagged ? 1.0 : 0.0});
    }
    return m;
}

std::string number(double v)
{
    if (std::isnan(v))
        return "";
    std::ostringstream s;
    s.precision(5);
    s << v;
    return s.str();
}

// OpenCV's Hershey fonts draw ASCII only: "Gradient × input" becomes "Gradient x input".
std::string ascii(const std::string& text)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            out += char(c);
        } else if (c == 0xC3 && i + 1 < text.size() &&
            static_cast<unsigned char>(text[i + 1]) == 0x97) {
            out += 'x';
            ++i;
        } else if ((c & 0xC0) == 0xC0) {
            out +=
                '?';  // the first byte of any other character; its continuation bytes are dropped
        }
    }
    return out;
}

cv::Scalar scalar(const Rgb& c)
{
    return cv::Scalar(c[0], c[1], c[2]);
}

// Text turned a quarter left, its baseline ending at `bottomRight`'s x, top at its y.
void verticalText(cv::Mat& canvas, const std::string& text, cv::Point anchor, double scale)
{
    int baseline = 0;
    const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline);
    cv::Mat strip(size.height + baseline + 2, size.width + 2, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::putText(strip, text, cv::Point(1, size.height + 1), cv::FONT_HERSHEY_SIMPLEX, scale,
        cv::Scalar(40, 40, 40), 1, cv::LINE_AA);
    cv::Mat turned;
    cv::rotate(strip, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
    const cv::Rect where(anchor.x - turned.cols / 2, anchor.y, turned.cols, turned.rows);
    const cv::Rect inside = where & cv::Rect(0, 0, canvas.cols, canvas.rows);
    turned(cv::Rect(inside.x - where.x, inside.y - where.y, inside.width, inside.height))
        .copyTo(canvas(inside));
}

}  // namespace

void TrustReport::add(TrustSample sample)
{
    samples_.push_back(std::move(sample));
}

std::vector<std::string> TrustReport::methods() const
{
    std::vector<std::string> out;
    for (const auto& s : samples_)
        if (std::find(out.begin(), out.end(), s.method) == out.end())
            out.push_back(s.method);
    return out;
}

std::vector<TrustReport::MethodSummary> TrustReport::summaries() const
{
    std::vector<MethodSummary> out;
    for (const auto& method : methods()) {
        std::vector<double> deletion, insertion, spearman, half;
        MethodSummary m;
        m.method = method;
        for (const auto& s : samples_) {
            if (s.method != method)
                continue;
            ++m.images;
            deletion.push_back(s.metrics.deletion.auc);
            insertion.push_back(s.metrics.insertion.auc);
            if (s.sanity && !s.sanity->cascade.empty()) {
                spearman.push_back(s.sanity->cascade.back().similarity.spearman);
                half.push_back(s.sanity
                                   ->cascade[size_t(std::clamp<int>(s.sanity->upperHalfStep, 0,
                                       int(s.sanity->cascade.size()) - 1))]
                                   .similarity.spearman);
                m.flagged += s.sanity->flagged;
            }
        }
        const Stats d = stats(deletion), i = stats(insertion), r = stats(spearman);
        m.deletion = d.mean;
        m.deletionStd = d.sd;
        m.insertion = i.mean;
        m.insertionStd = i.sd;
        m.finalSpearman = r.mean;
        m.finalSpearmanStd = r.sd;
        m.upperHalfSpearman = stats(half).mean;
        out.push_back(m);
    }
    return out;
}

std::string TrustReport::summaryCsv() const
{
    std::ostringstream csv;
    csv << "method,label,metric,mean,std,n\n";
    for (const auto& method : methods()) {
        std::map<std::string, std::vector<double>> values;
        std::vector<std::string> order;
        for (const auto& s : samples_) {
            if (s.method != method)
                continue;
            for (const auto& [name, v] : metricsOf(s)) {
                if (!values.count(name))
                    order.push_back(name);
                if (!std::isnan(v))
                    values[name].push_back(v);
                else
                    values[name];
            }
        }
        for (const auto& name : order) {
            const Stats st = stats(values[name]);
            csv << method << ",\"" << attributionMethodLabel(method) << "\"," << name << ","
                << number(st.mean) << "," << number(st.sd) << "," << st.n << "\n";
        }
    }
    return csv.str();
}

std::string TrustReport::perImageCsv() const
{
    std::ostringstream csv;
    csv << "image,method,deletion_auc,insertion_auc,sparseness_gini,complexity,completeness_gap,"
           "upper_half_randomised_spearman,randomised_spearman,randomised_ssim,randomised_top_"
           "overlap,random_target_spearman,"
           "flagged\n";
    const char* columns[] = {"deletion_auc", "insertion_auc", "sparseness_gini", "complexity",
        "completeness_gap", "upper_half_randomised_spearman", "randomised_spearman",
        "randomised_ssim", "randomised_top_overlap", "random_target_spearman", "flagged"};
    for (const auto& s : samples_) {
        std::map<std::string, double> m;
        for (const auto& [name, v] : metricsOf(s))
            m[name] = v;
        csv << "\"" << s.image << "\"," << s.method;
        for (const char* c : columns)
            csv << "," << (m.count(c) ? number(m[c]) : std::string());
        csv << "\n";
    }
    return csv.str();
}

std::string TrustReport::cascadeCsv() const
{
    std::ostringstream csv;
    csv << "method,image,depth,block,spearman,ssim,top_overlap\n";
    for (const auto& s : samples_) {
        if (!s.sanity)
            continue;
        for (size_t d = 0; d < s.sanity->cascade.size(); ++d) {
            const auto& step = s.sanity->cascade[d];
            csv << s.method << ",\"" << s.image << "\"," << d + 1 << "," << step.block << ","
                << number(step.similarity.spearman) << "," << number(step.similarity.ssim) << ","
                << number(step.similarity.topOverlap) << "\n";
        }
    }
    return csv.str();
}

RgbImage TrustReport::figure(const std::string& title, float flagSpearman) const
{
    // The blocks of the longest cascade name the x axis (every image of one model has the same).
    std::vector<std::string> blocks;
    for (const auto& s : samples_)
        if (s.sanity && s.sanity->cascade.size() > blocks.size()) {
            blocks.clear();
            for (const auto& step : s.sanity->cascade)
                blocks.push_back(step.block);
        }
    const int width = 1100, height = 590;
    const cv::Rect plot(90, 60, 560, 380);
    RgbImage out(width, height);
    std::fill(out.pixels.begin(), out.pixels.end(), 255);
    cv::Mat canvas = rgbMatView(out);
    const cv::Scalar ink(40, 40, 40), grid(225, 225, 225);
    cv::putText(
        canvas, title, cv::Point(20, 32), cv::FONT_HERSHEY_SIMPLEX, 0.7, ink, 1, cv::LINE_AA);
    const int steps = int(blocks.size());
    const auto px = [&](double depth) {
        return plot.x + int(std::lround(depth / std::max(1, steps) * plot.width));
    };
    const auto py = [&](double v) {
        return plot.y + plot.height -
            int(std::lround((std::clamp(v, -1.0, 1.0) + 1.0) / 2.0 * plot.height));
    };
    for (double v : {-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0}) {
        cv::line(canvas, {plot.x, py(v)}, {plot.x + plot.width, py(v)}, grid, 1);
        cv::putText(canvas, number(v), {plot.x - 42, py(v) + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.45,
            ink, 1, cv::LINE_AA);
    }
    for (int x = plot.x; x < plot.x + plot.width; x += 12)  // the flag threshold, dashed
        cv::line(canvas, {x, py(flagSpearman)},
            {std::min(x + 6, plot.x + plot.width), py(flagSpearman)}, cv::Scalar(200, 60, 60), 1);
    cv::rectangle(canvas, plot, ink, 1);
    int verdictStep = -1;  // where the flag is read: the upper half randomised
    for (const auto& s : samples_)
        if (s.sanity)
            verdictStep = s.sanity->upperHalfStep;
    if (verdictStep >= 0)
        for (int y = plot.y; y < plot.y + plot.height; y += 12)
            cv::line(canvas, {px(verdictStep + 1), y},
                {px(verdictStep + 1), std::min(y + 6, plot.y + plot.height)},
                cv::Scalar(200, 60, 60), 1);
    verticalText(canvas, "trained", {px(0), plot.y + plot.height + 6}, 0.4);
    for (int d = 0; d < steps; ++d)
        verticalText(canvas, blocks[size_t(d)], {px(d + 1), plot.y + plot.height + 6}, 0.4);
    cv::putText(canvas, "blocks randomised from the top (cumulative)", {plot.x + 110, height - 14},
        cv::FONT_HERSHEY_SIMPLEX, 0.5, ink, 1, cv::LINE_AA);
    verticalText(canvas, "Spearman of |map| with the trained model's map", {30, plot.y + 40}, 0.45);

    const auto methodList = methods();
    const auto summary = summaries();
    for (size_t m = 0; m < methodList.size(); ++m) {
        const cv::Scalar colour = scalar(familyColour(int(m)));
        std::vector<std::vector<double>> byDepth(static_cast<size_t>(steps));
        for (const auto& s : samples_)
            if (s.method == methodList[m] && s.sanity)
                for (size_t d = 0; d < s.sanity->cascade.size() && d < byDepth.size(); ++d)
                    byDepth[d].push_back(s.sanity->cascade[d].similarity.spearman);
        std::vector<cv::Point> line{{px(0), py(1.0)}};
        for (int d = 0; d < steps; ++d) {
            if (byDepth[size_t(d)].empty())
                continue;
            const Stats st = stats(byDepth[size_t(d)]);
            line.push_back({px(d + 1), py(st.mean)});
            cv::line(canvas, {px(d + 1), py(st.mean - st.sd)}, {px(d + 1), py(st.mean + st.sd)},
                colour, 1, cv::LINE_AA);
        }
        if (line.size() > 1)
            cv::polylines(canvas, line, false, colour, 2, cv::LINE_AA);
        // Legend, outside the data.
        const int y = plot.y + 10 + int(m) * 52;
        cv::line(canvas, {plot.x + plot.width + 30, y}, {plot.x + plot.width + 60, y}, colour, 3);
        const auto& s = summary[m];
        cv::putText(canvas, ascii(attributionMethodLabel(s.method)),
            {plot.x + plot.width + 68, y + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.5, ink, 1, cv::LINE_AA);
        std::ostringstream detail;
        detail.precision(3);
        detail << "deletion " << s.deletion << ", insertion " << s.insertion;
        if (s.flagged > 0)
            detail << ", flagged " << s.flagged << "/" << s.images;
        cv::putText(canvas, detail.str(), {plot.x + plot.width + 68, y + 24},
            cv::FONT_HERSHEY_SIMPLEX, 0.42,
            s.flagged * 2 > s.images ? cv::Scalar(200, 40, 40) : ink, 1, cv::LINE_AA);
    }
    return out;
}

}  // namespace loupe
