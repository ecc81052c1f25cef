#include "widgets/qt_image.h"

namespace loupe::widgets {

QImage toQImage(const RgbImage& image)
{
    if (image.empty())
        return {};
    return QImage(
        image.pixels.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888)
        .copy();
}

RgbImage fromQImage(const QImage& image)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    RgbImage out(rgb.width(), rgb.height());
    for (int y = 0; y < rgb.height(); ++y)
        std::copy(rgb.constScanLine(y), rgb.constScanLine(y) + 3 * rgb.width(), out.pixel(0, y));
    return out;
}

}  // namespace loupe::widgets
