#pragma once

#include <QString>

namespace loupe::widgets {

// What the Atlas dock's Build button asks for: the layer and folder, the grid, and how the
// icons are drawn.
struct AtlasBuildRequest {
    QString layer;
    QString folder;
    int grid = 30;
    int samplesPerImage = 8;
    int maxIcons = 150;
    int iconSteps = 64;  // optimisation steps per icon: more is sharper and slower
};

}  // namespace loupe::widgets
