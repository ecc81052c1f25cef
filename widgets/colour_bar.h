#pragma once

#include "core/attribution.h"
#include "core/colormap.h"

#include <QString>

#include <QRect>

class QPainter;

namespace loupe::widgets {

// The scale of an attribution heat map, drawn the way attributionHeatmap colours it: a
// diverging bar from -m to +m for signed maps, magma from 0 to the maximum otherwise, with
// its end values written beside it and what the colours measure written under it.
// Horizontal, `area` holds bar and labels.
void paintColourBar(QPainter& painter, const QRect& area, const AttributionMap& map);
// What the colours measure: signed (red for the target) or a magnitude, on the method's scale.
QString colourBarLabel(const AttributionMap& map);

// Any colour scale: `colormap` from lo to hi (Diverging: symmetric around 0), its ends beside
// it and `label` (what the colours measure, with its unit) under it.
void paintScaleBar(QPainter& painter, const QRect& area, float lo, float hi, Colormap colormap,
    const QString& label);

}  // namespace loupe::widgets
