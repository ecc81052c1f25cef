#pragma once

#include "core/attribution.h"

#include <QRect>

class QPainter;

namespace loupe::widgets {

// The scale of an attribution heat map, drawn the way attributionHeatmap colours it: a
// diverging bar from -m to +m for signed maps, magma from 0 to the maximum otherwise, with
// its end values written beside it and what the colours measure written under it (the
// quantity and its unit). Horizontal, `area` holds bar and labels.
void paintColourBar(QPainter& painter, const QRect& area, const AttributionMap& map);
// "signed attribution to the target (logit units)" / "|attribution| to the target …".
QString colourBarLabel(const AttributionMap& map);

}  // namespace loupe::widgets
