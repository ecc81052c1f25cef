#pragma once

#include <QImage>
#include <QVector>
#include <QWidget>

namespace loupe::widgets {

// A grid of per-channel thumbnails (activation maps now; feature visualizations later).
// Clicking a tile emits its channel; the selected one is outlined, flagged ones crossed out.
class ChannelGrid : public QWidget {
    Q_OBJECT
public:
    explicit ChannelGrid(QWidget* parent = nullptr);

    void setTiles(
        const QVector<QImage>& tiles, const QVector<bool>& flagged, const QStringList& tooltips);
    void setTileSize(int pixels);
    void setSelectedChannel(int channel);
    void setPlaceholder(const QString& text);
    int selectedChannel() const { return selected_; }
    int tileCount() const { return int(tiles_.size()); }
    int columns() const;
    QRect tileRect(int channel) const;
    int channelAt(const QPoint& pos) const;
    // Paints the grid for export, laid out in `columns` columns.
    void paintGrid(QPainter& painter, int columns) const;
    QSize gridSize(int columns) const;

    QSize sizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

signals:
    void channelClicked(int channel);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    int columnsFor(int width) const;

    QVector<QImage> tiles_;
    QVector<bool> flagged_;
    QStringList tooltips_;
    int tileSize_ = 56;
    int gap_ = 3;
    int selected_ = -1;
    QString placeholder_;
};

}  // namespace loupe::widgets
