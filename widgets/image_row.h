#pragma once

#include "widgets/colour_bar.h"

#include <QImage>
#include <QList>
#include <QStringList>
#include <QWidget>

#include <functional>

namespace loupe::widgets {

// Images in a row, each captioned below (photo, reconstruction, dream, adversarial image...):
// the shared view of the image-space experiments. Empty slots are grey; with no image at all it
// shows the hint.
class ImageRow : public QWidget {
public:
    explicit ImageRow(const QString& hint, QWidget* parent = nullptr);

    void clear();
    void setImages(const QList<QImage>& images, const QStringList& captions);
    void setImage(int index, const QImage& image, const QString& caption);
    // A colour bar under the image's caption (a heat map's values); setImages clears them.
    void setScale(int index, const ColourScale& scale);
    ColourScale scale(int index) const { return scales_.value(index); }
    int count() const { return int(images_.size()); }
    QImage image(int index) const { return images_.value(index); }

    // Also used for figure export, at any size.
    void paintAll(QPainter& painter, const QRect& area) const;
    // Called with the image's index when the user clicks one (a neighbour unit to open).
    void setClickHandler(std::function<void(int index)> clicked);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QRect imageRect(int index, const QRect& area) const;

    QString hint_;
    std::function<void(int)> clicked_;
    QList<QImage> images_;
    QStringList captions_;
    QList<ColourScale> scales_;
};

}  // namespace loupe::widgets
