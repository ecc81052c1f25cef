#pragma once

#include "core/image.h"
#include "core/stimulus.h"
#include "core/tuning.h"

#include <string>

namespace loupe {

// Figures and tables of tuning experiments for the CLI (the Tuning dock draws its own plots
// with QCustomPlot from the same numbers, in the same colours).

// The response of one channel over a sweep: first axis left to right, second axis bottom to
// top (a one-axis sweep is one row), each value a cellPixels-square cell, viridis over the
// channel's range.
RgbImage sweepHeatmap(const SweepResult& sweep, int channelIndex, int cellPixels = 8);

// Polar plot: each channel's orientation response (normalised to its own peak) as a closed
// curve around the centre, one colour per channel.
RgbImage radialPlot(const RadialTuning& radial, int size = 480);

// A distinct colour per family member (Tableau 10).
Rgb familyColour(int index);

std::string sweepCsv(const SweepResult& sweep);  // one row per stimulus
std::string rotationCsv(const RotationTuning& rotation);  // one row per angle
std::string radialCsv(const RadialTuning& radial);  // one row per orientation

}  // namespace loupe
