#pragma once
// Network dissection as files: per-unit CSV, the per-layer detector summary, and the paper's
// figure (unique concept detectors per category, one group of bars per layer).

#include "core/dissection.h"
#include "core/image.h"

#include <string>
#include <vector>

namespace loupe {

// unit,concept,category,iou,runner_up,runner_up_iou,threshold,detector
std::string dissectionUnitsCsv(const DissectionResult& result);
// layer,category,unique_concepts,detector_units,units
std::string detectorSummaryCsv(const std::vector<DissectionResult>& layers);
// Grouped bars: per layer (in order) the unique detectors of each category, a legend and axis
// labels outside the bars, a title. Throws loupe::Error with no layer.
RgbImage detectorChart(const std::vector<DissectionResult>& layers, const std::string& title);

}  // namespace loupe
