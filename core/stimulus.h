#pragma once

#include "core/image.h"

#include <array>
#include <string>
#include <vector>

namespace loupe {

// The synthetic stimuli of the Curve Detectors experiments. Every length is in units of the
// unit's receptive field ("field sizes"), so one sweep means the same thing on any layer of
// any model; the renderer scales it to pixels.
//
// Orientation convention (all kinds): degrees counter-clockwise on screen from "pointing
// right". A curve bulges towards its orientation (its apex normal points that way), an angle
// points its vertex that way, a line or edge has that normal, a grating's stripes vary along it.
enum class StimulusKind { Curve, Line, Edge, Angle, Combed, Grating };

using Rgb = std::array<unsigned char, 3>;

struct Stimulus {
    StimulusKind kind = StimulusKind::Curve;
    double orientation = 0;  // degrees
    double curvature = 2;  // field size / radius: 0 is straight, 2 a radius of half the field
    double length = 0.8;  // arc (or line, or each arm x 2) length
    double width = 0.05;  // line width (at least one pixel is drawn)
    double angle = 90;  // Angle: opening between the arms, degrees
    double rounding = 0;  // Angle: 0 a sharp corner .. 1 the arms are all arc (figure 18)
    double combLength = 0.12;  // Combed: tick length, across the curve
    double combSpacing = 0.07;  // Combed: distance between ticks along the curve
    double wavelength = 0.25;  // Grating: period
    double phase = 0;  // Grating: degrees
    double envelope = 0.25;  // Grating: Gaussian sigma (0: plain grating, else a Gabor patch)
    Rgb line{0, 0, 0};
    Rgb background{255, 255, 255};
    bool fillSides = false;  // paint the two sides of the curve/line/edge in their own colours
    Rgb inside{
        160, 160, 160};  // concave side of a curve; the side a line's normal points away from
    Rgb outside{255, 255, 255};
};

const char* stimulusKindName(StimulusKind kind);
StimulusKind stimulusKindFromName(const std::string& name);  // throws loupe::Error
std::vector<std::string> stimulusKindNames();

// Renders the stimulus into a size x size image, centred on (centreX, centreY) (pixels) with
// one field size = fieldSize pixels. Anti-aliased by analytic pixel coverage from a distance
// field rather than OpenCV's polyline arcs, so that rotating a stimulus is exact up to
// sampling (the renderer's rotation test relies on it). Deterministic.
RgbImage renderStimulus(
    const Stimulus& stimulus, int size, double centreX, double centreY, double fieldSize);

// The sweepable parameters by name: orientation, curvature, length, width, angle, rounding,
// comb_length, comb_spacing, wavelength, phase, envelope, and radius (= 1 / curvature).
std::vector<std::string> stimulusParameterNames();
double stimulusParameter(const Stimulus& stimulus, const std::string& name);  // throws loupe::Error
void setStimulusParameter(
    Stimulus& stimulus, const std::string& name, double value);  // throws loupe::Error

// One swept parameter and its values.
struct SweepAxis {
    std::string parameter;
    std::vector<double> values;
};

// "orientation=0:360:5" (start:stop:step, stop included unless it is a whole turn of an
// angle, so 0:360:5 is 72 orientations), "curvature=0:4:0.25", or "width=0.03" (one value).
SweepAxis parseSweepAxis(const std::string& text);
// Comma-separated axes: "orientation=0:360:5,curvature=0:4:0.25".
std::vector<SweepAxis> parseSweep(const std::string& text);
std::string sweepAxisText(
    const SweepAxis& axis);  // inverse of parseSweepAxis, for keys and sidecars

}  // namespace loupe
