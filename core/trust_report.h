#pragma once
// A folder-wide report on attribution methods (loupe-cli sanity): per method, the faithfulness
// metrics and the randomisation checks over many images, as CSV tables (mean ± std) and
// Adebayo's figure (similarity to the trained model's map against the randomised depth).

#include "core/attribution_metrics.h"
#include "core/attribution_sanity.h"
#include "core/image.h"

#include <optional>
#include <string>
#include <vector>

namespace loupe {

struct TrustSample {
    std::string method;  // registry name: "saliency"
    std::string image;  // file name
    AttributionMetrics metrics;
    std::optional<SanityReport> sanity;
};

class TrustReport {
public:
    void add(TrustSample sample);
    bool empty() const { return samples_.empty(); }
    std::vector<std::string> methods() const;  // in the order first seen

    // method,metric,mean,std,n — one row per method and metric.
    std::string summaryCsv() const;
    // One row per image and method with every metric.
    std::string perImageCsv() const;
    // method,image,depth,block,spearman,ssim,top_overlap — the cascades.
    std::string cascadeCsv() const;
    // Mean Spearman (with ± std band) of each method's map to the trained one, against the
    // number of blocks randomised from the top; the flag threshold dashed; a legend outside the
    // plot with each method's deletion / insertion AUC and whether it fails the check.
    RgbImage figure(const std::string& title, float flagSpearman = 0.5f) const;

    struct MethodSummary {
        std::string method;
        int images = 0;
        double deletion = 0, deletionStd = 0, insertion = 0, insertionStd = 0;
        double finalSpearman = 0, finalSpearmanStd = 0;  // after every block; NaN without checks
        double upperHalfSpearman = 0;  // where the flag is read
        int flagged = 0;  // images whose map was flagged
    };
    std::vector<MethodSummary> summaries() const;

private:
    std::vector<TrustSample> samples_;
};

}  // namespace loupe
