#pragma once

#include "core/attribution.h"
#include "core/colormap.h"

#include <QImage>
#include <QRect>
#include <QString>

class QPainter;

namespace loupe::widgets {

// The scale of an attribution heat map, drawn the way attributionHeatmap colours it: a
// diverging bar from -m to +m for signed maps, magma from 0 to the maximum otherwise, with
// its end values written beside it and what the colours measure written under it.
// Horizontal, `area` holds bar and labels.
void paintColourBar(QPainter& painter, const QRect& area, const AttributionMap& map);
// What the colours measure: signed (red for the target) or a magnitude, on the method's scale.
QString colourBarLabel(const AttributionMap& map);

// A colour scale to draw beside a picture: the ramp of its colours from low to high, the texts
// at its ends and what the colours measure. Made by the functions below; empty means none.
struct ColourScale {
    QImage ramp;  // one row, low on the left
    QString low, high, label;
    bool isEmpty() const { return ramp.isNull(); }
};
// `colormap` from lo to hi (Diverging: symmetric around 0).
ColourScale colourScale(float lo, float hi, Colormap colormap, const QString& label);
// An attribution map's scale as attributionHeatmapOnRange colours it.
ColourScale attributionScale(const AttributionMap& map, float lo, float hi);
// Horizontal: the ramp with its end texts beside it and the label under it.
void paintColourScale(QPainter& painter, const QRect& area, const ColourScale& scale);

// Any colour scale: `colormap` from lo to hi (Diverging: symmetric around 0), its ends beside
// it and `label` (what the colours measure, with its unit) under it.
void paintScaleBar(QPainter& painter, const QRect& area, float lo, float hi, Colormap colormap,
    const QString& label);

}  // namespace loupe::widgets
