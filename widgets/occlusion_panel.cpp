#include "widgets/occlusion_panel.h"

#include "core/tuning_figures.h"
#include "widgets/colour_bar.h"
#include "widgets/qt_image.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <QComboBox>
#include <QJsonArray>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QHBoxLayout>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace loupe::widgets {
namespace {

constexpr int kLegendEntries = 10;  // more distinct classes than this share one grey

QColor classColour(int rank)
{
    if (rank < 0 || rank >= kLegendEntries)
        return QColor(150, 150, 150);
    const Rgb c = familyColour(rank);
    return QColor(c[0], c[1], c[2]);
}

}  // namespace

// Draws the heat map (with its colour bar) or the class map (with its legend) over the
// model-input view, and reports what is under a click.
class OcclusionCanvas : public QWidget {
public:
    explicit OcclusionCanvas(QWidget* parent = nullptr) : QWidget(parent)
    {
        setMinimumSize(240, 300);
    }

    bool isClasses = false;
    AttributionMap heat;
    OcclusionClassMap classes;
    QMap<int, QString> labels;
    std::function<void(QPoint)> onClick;

    bool hasResult() const { return isClasses ? !classes.classes.empty() : !heat.values.empty(); }
    int inputSize() const { return isClasses ? classes.inputSize : heat.width; }
    RgbImage inputView() const { return isClasses ? classes.inputView : heat.inputView; }

    // The occluder cell whose patch is centred nearest to a model-input pixel.
    int cellAt(int x, int y) const
    {
        const auto clampIndex = [&](int p, int n) {
            return std::clamp(
                int(std::lround(double(p - classes.patch / 2.0) / classes.stride)), 0, n - 1);
        };
        return clampIndex(y, classes.rows) * classes.columns + clampIndex(x, classes.columns);
    }

    QImage classImage() const
    {
        const auto legend = classes.legend();
        QMap<int, int> rank;
        for (int i = 0; i < int(legend.size()); ++i)
            rank.insert(legend[size_t(i)].first, i);
        QImage view = toQImage(classes.inputView).convertToFormat(QImage::Format_RGB32);
        QPainter p(&view);
        p.setOpacity(0.55);
        for (int y = 0; y < view.height(); ++y)
            for (int x = 0; x < view.width(); ++x) {
                const int c = classes.classes[size_t(cellAt(x, y))];
                if (c >= 0)
                    p.fillRect(x, y, 1, 1, classColour(rank.value(c, kLegendEntries)));
            }
        return view;
    }

    QRect imageRect(const QRect& area) const
    {
        const int side =
            std::max(16, std::min(area.width() - 8, area.height() - legendHeight() - 8));
        return QRect(area.left() + (area.width() - side) / 2, area.top() + 4, side, side);
    }
    int legendHeight() const
    {
        return isClasses ? 16 * std::min<int>(kLegendEntries + 1, int(classes.legend().size())) + 8
                         : 30;
    }

    void paintAll(QPainter& painter, const QRect& area) const
    {
        if (!hasResult()) {
            painter.setPen(QColor(130, 130, 130));
            painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap,
                QObject::tr("Open an image, choose a map and press Run"));
            return;
        }
        const QRect image = imageRect(area);
        if (isClasses) {
            painter.drawImage(image, classImage());
            const auto legend = classes.legend();
            const int total = std::max(1,
                int(std::count_if(
                    classes.classes.begin(), classes.classes.end(), [](int c) { return c >= 0; })));
            int y = image.bottom() + 8;
            for (int i = 0; i < int(legend.size()) && i <= kLegendEntries; ++i) {
                const bool others = i == kLegendEntries;
                int count = legend[size_t(i)].second;
                if (others)
                    for (size_t j = size_t(i) + 1; j < legend.size(); ++j)
                        count += legend[j].second;
                painter.fillRect(QRect(image.left(), y + 2, 12, 12), classColour(i));
                const int c = legend[size_t(i)].first;
                const QString name = others
                    ? QObject::tr("%1 other classes").arg(legend.size() - kLegendEntries)
                    : QStringLiteral("%1 %2%3")
                          .arg(c)
                          .arg(labels.value(c))
                          .arg(c == classes.unoccludedClass ? QObject::tr(" (unoccluded)")
                                                            : QString());
                painter.setPen(palette().color(QPalette::Text));
                painter.drawText(QRect(image.left() + 18, y, image.width() - 18, 16),
                    Qt::AlignLeft | Qt::AlignVCenter,
                    QStringLiteral("%1 — %2%").arg(name).arg(100.0 * count / total, 0, 'f', 1));
                y += 16;
            }
        } else {
            painter.drawImage(image, toQImage(heat.inputView));
            painter.setOpacity(0.65);
            painter.drawImage(image, toQImage(attributionHeatmap(heat)));
            painter.setOpacity(1);
            paintColourBar(
                painter, QRect(image.left(), image.bottom() + 6, image.width(), 20), heat);
        }
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter painter(this);
        paintAll(painter, rect());
    }
    void mousePressEvent(QMouseEvent* e) override
    {
        const QRect image = imageRect(rect());
        if (!hasResult() || !image.contains(e->position().toPoint()) || !onClick)
            return;
        const int size = inputSize();
        onClick(QPoint(int((e->position().x() - image.left()) * size / image.width()),
            int((e->position().y() - image.top()) * size / image.height())));
    }
};

OcclusionPanel::OcclusionPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), canvas_(new OcclusionCanvas)
{
    map_ = new QComboBox;
    map_->addItems({tr("top class probability"), tr("selected unit"), tr("selected layer"),
        tr("top-1 class")});
    map_->setToolTip(
        tr("What the occluder changes: the drop of the top class's probability, of the selected "
           "unit's or\n"
           "layer's mean activation, or which class wins with the patch at each position."));
    patch_ = spinBox(1, 1024, 32, tr("patch "), tr(" px"));
    stride_ = spinBox(1, 512, 8, tr("stride "));
    fill_ = new QComboBox;
    fill_->addItems({QStringLiteral("grey"), QStringLiteral("black"), QStringLiteral("mean"),
        QStringLiteral("blur")});
    fill_->setToolTip(tr("What the patch is filled with"));
    auto* run = new QPushButton(tr("Run"));
    // Controls in the body, not the tool bar: a narrow dock would hide them behind a chevron.
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* controls = new QHBoxLayout;
    controls->addWidget(map_, 2);
    controls->addWidget(patch_, 1);
    controls->addWidget(stride_, 1);
    controls->addWidget(fill_, 1);
    controls->addWidget(run);
    layout->addLayout(controls);
    layout->addWidget(canvas_, 1);
    setBody(body);
    connect(run, &QPushButton::clicked, this, &OcclusionPanel::run);
    canvas_->onClick = [this](QPoint p) { setStatus(valueAt(p.x(), p.y())); };
    clearMap(tr("Patch sizes are in model-input pixels."));
}

void OcclusionPanel::setTopClass(int index, const QString& label)
{
    topClass_ = index;
    topLabel_ = label;
}

void OcclusionPanel::setInputSize(int size)
{
    patch_->setMaximum(size);
    stride_->setMaximum(size);
    const int patch =
        std::max(2, size / 7);  // 32 px on a 224-pixel model, as Zeiler & Fergus' grid
    setPatch(patch, std::max(1, patch / 4));
}

void OcclusionPanel::setMap(Map map)
{
    map_->setCurrentIndex(int(map));
}

void OcclusionPanel::setPatch(int patch, int stride)
{
    patch_->setValue(patch);
    stride_->setValue(stride);
}

QString OcclusionPanel::targetText() const
{
    switch (Map(map_->currentIndex())) {
    case Map::ClassProbability:
        return topClass_ >= 0 ? QStringLiteral("prob:%1").arg(topClass_) : QString();
    case Map::Unit:
        return selection() && selection()->channel() >= 0
            ? QStringLiteral("unit:%1:%2").arg(selection()->layer()).arg(selection()->channel())
            : QString();
    case Map::Layer:
        return selection() && !selection()->layer().isEmpty()
            ? QStringLiteral("layer:") + selection()->layer()
            : QString();
    case Map::TopClass: return QStringLiteral("classes");
    }
    return {};
}

void OcclusionPanel::run()
{
    const QString target = targetText();
    if (target.isEmpty()) {
        static const char* needs[] = {"Open an image of a classifier first.",
            "Select a unit (layer:channel) first.", "Select a layer first."};
        setStatus(tr(needs[std::min(map_->currentIndex(), 2)]));
        return;
    }
    requestedTarget_ = target;
    setStatus(tr("computing…"));
    const bool classes = Map(map_->currentIndex()) == Map::TopClass;
    emit occlusionRequested(classes ? QStringLiteral("classes") : QStringLiteral("heat"),
        classes ? QString() : target, patch_->value(), stride_->value(), fill_->currentText());
}

void OcclusionPanel::showHeatmap(const AttributionMap& map, bool final)
{
    canvas_->isClasses = false;
    canvas_->heat = map;
    canvas_->update();
    setStatus(final ? tr("Drop of %1 when occluded (unoccluded value %2) — click to read values")
                          .arg(requestedTarget_)
                          .arg(double(map.targetValue), 0, 'g', 4)
                    : tr("filling in…"));
}

void OcclusionPanel::showClasses(
    const OcclusionClassMap& map, const QMap<int, QString>& labels, bool final)
{
    canvas_->isClasses = true;
    canvas_->classes = map;
    canvas_->labels = labels;
    canvas_->update();
    setStatus(final ? tr("Top-1 class with the patch at each position — click to read it")
                    : tr("filling in…"));
}

void OcclusionPanel::clearMap(const QString& message)
{
    canvas_->heat = {};
    canvas_->classes = {};
    canvas_->update();
    setStatus(message);
}

bool OcclusionPanel::hasResult() const
{
    return canvas_->hasResult();
}

QString OcclusionPanel::valueAt(int x, int y) const
{
    if (!canvas_->hasResult())
        return {};
    if (canvas_->isClasses) {
        const auto& m = canvas_->classes;
        const int cell = canvas_->cellAt(x, y), c = m.classes[size_t(cell)];
        if (c < 0)
            return tr("not evaluated yet");
        return tr("patch at (%1, %2): %3 %4, p = %5")
            .arg((cell % m.columns) * m.stride)
            .arg((cell / m.columns) * m.stride)
            .arg(c)
            .arg(canvas_->labels.value(c))
            .arg(double(m.probabilities[size_t(cell)]), 0, 'f', 3);
    }
    const auto& h = canvas_->heat;
    x = std::clamp(x, 0, h.width - 1);
    y = std::clamp(y, 0, h.height - 1);
    return tr("(%1, %2) of the model input: drop %3")
        .arg(x)
        .arg(y)
        .arg(double(h.values[size_t(y) * h.width + x]), 0, 'g', 4);
}

QString OcclusionPanel::exportName() const
{
    return canvas_->isClasses ? QStringLiteral("occlusion-top-class") : QStringLiteral("occlusion");
}

QSize OcclusionPanel::exportSize() const
{
    return QSize(520, 520 + canvas_->legendHeight());
}

void OcclusionPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    canvas_->paintAll(painter, QRect(QPoint(0, 0), size));
}

QJsonObject OcclusionPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("map")] = map_->currentText();
    p[QStringLiteral("target")] = requestedTarget_;
    p[QStringLiteral("patch")] = patch_->value();
    p[QStringLiteral("stride")] = stride_->value();
    p[QStringLiteral("fill")] = fill_->currentText();
    return p;
}

QString OcclusionPanel::exportData() const
{
    QString csv;
    if (!canvas_->hasResult())
        return csv;
    if (canvas_->isClasses) {
        const auto& m = canvas_->classes;
        csv = QStringLiteral("patch_x,patch_y,class,label,probability\n");
        for (size_t i = 0; i < m.classes.size(); ++i)
            csv += QStringLiteral("%1,%2,%3,\"%4\",%5\n")
                       .arg(int(i) % m.columns * m.stride)
                       .arg(int(i) / m.columns * m.stride)
                       .arg(m.classes[i])
                       .arg(canvas_->labels.value(m.classes[i]))
                       .arg(double(m.probabilities[i]));
        return csv;
    }
    const auto& h = canvas_->heat;  // one row per model-input row
    for (int y = 0; y < h.height; ++y) {
        QStringList row;
        for (int x = 0; x < h.width; ++x)
            row << QString::number(double(h.values[size_t(y) * h.width + x]), 'g', 6);
        csv += row.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return csv;
}

}  // namespace loupe::widgets
