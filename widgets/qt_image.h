#pragma once

#include "core/image.h"

#include <QImage>

namespace loupe::widgets {

// Deep copies both ways: a QImage never wraps memory owned by the core.
QImage toQImage(const RgbImage& image);
RgbImage fromQImage(const QImage& image);

}  // namespace loupe::widgets
