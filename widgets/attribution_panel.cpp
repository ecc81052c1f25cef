#include "widgets/attribution_panel.h"

#include "core/attribution_methods.h"
#include "core/error.h"
#include "core/map_measures.h"
#include "widgets/attribution_evidence.h"
#include "widgets/colour_bar.h"
#include "widgets/qt_image.h"
#include "widgets/unit_selection.h"

#include <QComboBox>
#include <QCompleter>
#include <QLineEdit>
#include <QLabel>
#include <QMouseEvent>
#include <QFileInfo>
#include <QPainter>
#include <QJsonObject>
#include <QSlider>
#include <QSplitter>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <QToolButton>
#include <QToolBar>

#include <cmath>

namespace loupe::widgets {

constexpr int kCaption = 30;  // under each map: its name, then its deletion / insertion AUC
constexpr int kColourBar = 30;  // under each map: its own colour bar, its ends and its unit

// Draws the maps: one large, or all in a grid; reports the value under a click.
class AttributionCanvas : public QWidget {
public:
    explicit AttributionCanvas(QWidget* parent = nullptr) : QWidget(parent)
    {
        setMinimumSize(240, 240);
    }

    QList<QPair<QString, AttributionMap>> shown;  // caption, map (no values: see `unavailable`)
    QMap<QString, QString> unavailable;  // caption -> why that method gave no map
    double opacity = 0.6;
    std::function<void(const QString&)> onValue;
    // The evidence after a map's caption ("del 0.12 · ins 0.71"), and whether it failed its
    // sanity check (the caption turns red with a ⚠).
    std::function<QString(int index)> captionSuffix;
    std::function<bool(int index)> flagged;
    bool drawingBox = false;  // the Object box tool: a drag draws the object's box
    QRect box;  // in map pixels, shown on every map
    std::function<void(const QRect&)> onBox;

    void paintAll(QPainter& painter, const QRect& area) const
    {
        if (shown.isEmpty()) {
            painter.setPen(QColor(130, 130, 130));
            painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap,
                QObject::tr("Open an image, then Compute"));
            return;
        }
        const int n = shown.size();
        const int columns = n == 1 ? 1 : int(std::ceil(std::sqrt(double(n))));
        const int rows = (n + columns - 1) / columns;
        // Every map has its own labelled colour bar: each method has its own scale.
        const int bar = kColourBar;
        const int cell =
            std::min((area.width() - 4) / columns, (area.height() - 4) / rows - kCaption - bar);
        for (int i = 0; i < n; ++i) {
            const QRect r(area.left() + 2 + (i % columns) * cell,
                area.top() + 2 + (i / columns) * (cell + kCaption + bar), cell - 4, cell - 4);
            const auto& map = shown[i].second;
            const bool failed = flagged && flagged(i);
            painter.setPen(failed ? QColor(180, 35, 24) : palette().color(QPalette::Text));
            // Two lines: the method, then its evidence (deletion / insertion AUC).
            const QString caption = (failed ? QStringLiteral("⚠ ") : QString()) + shown[i].first;
            const QString extra = captionSuffix ? captionSuffix(i) : QString();
            painter.drawText(QRect(r.left(), r.bottom() + 1, r.width(), 14), Qt::AlignCenter,
                painter.fontMetrics().elidedText(caption, Qt::ElideRight, r.width()));
            const QFont normal = painter.font();
            QFont small = normal;
            small.setPointSizeF(normal.pointSizeF() * 0.85);
            painter.setFont(small);
            painter.drawText(QRect(r.left(), r.bottom() + 14, r.width(), 14), Qt::AlignCenter,
                painter.fontMetrics().elidedText(extra, Qt::ElideRight, r.width()));
            painter.setFont(normal);
            if (map.values.empty()) {
                painter.fillRect(r, QColor(235, 235, 235));
                painter.setPen(QColor(90, 90, 90));
                painter.drawText(r.adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap,
                    QObject::tr("Not available: %1").arg(unavailable.value(shown[i].first)));
                continue;
            }
            painter.drawImage(r, toQImage(map.inputView));
            painter.setOpacity(opacity);
            painter.drawImage(r, toQImage(attributionHeatmap(map)));
            painter.setOpacity(1);
            if (!box.isEmpty()) {
                const double sx = double(r.width()) / map.width,
                             sy = double(r.height()) / map.height;
                painter.setPen(QPen(QColor(0, 230, 255), 2, Qt::DashLine));
                painter.setBrush(Qt::NoBrush);
                painter.drawRect(QRectF(r.left() + box.left() * sx, r.top() + box.top() * sy,
                    box.width() * sx, box.height() * sy));
            }
            paintColourBar(
                painter, QRect(r.left(), r.bottom() + kCaption + 2, r.width(), bar - 4), map);
        }
    }
    // Which map and pixel a widget position falls on.
    bool locate(const QPoint& p, QString& method, float& value, int& x, int& y) const
    {
        const int n = shown.size();
        if (n == 0)
            return false;
        const int columns = n == 1 ? 1 : int(std::ceil(std::sqrt(double(n))));
        const int rows = (n + columns - 1) / columns;
        const int bar = kColourBar;
        const int cell = std::min((width() - 4) / columns, (height() - 4) / rows - kCaption - bar);
        const int i = ((p.y() - 2) / (cell + kCaption + bar)) * columns + (p.x() - 2) / cell;
        if (i < 0 || i >= n)
            return false;
        const QRect r(2 + (i % columns) * cell, 2 + (i / columns) * (cell + kCaption + bar),
            cell - 4, cell - 4);
        if (!r.contains(p))
            return false;
        const auto& map = shown[i].second;
        if (map.values.empty())
            return false;
        x = (p.x() - r.left()) * map.width / std::max(1, r.width());
        y = (p.y() - r.top()) * map.height / std::max(1, r.height());
        value = map.values[size_t(y) * map.width + x];
        method = shown[i].first;
        return true;
    }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter painter(this);
        paintAll(painter, rect());
    }
    void mousePressEvent(QMouseEvent* e) override
    {
        if (drawingBox) {
            QString method;
            float value = 0;
            if (locate(e->position().toPoint(), method, value, dragStart_.rx(), dragStart_.ry())) {
                dragging_ = true;
                box = QRect(dragStart_, QSize(1, 1));
                update();
            }
            return;
        }
        QString method;
        float value = 0;
        int x = 0, y = 0;
        if (onValue && locate(e->position().toPoint(), method, value, x, y))
            onValue(QObject::tr("%1 at (%2, %3) of the model input: %4")
                        .arg(method)
                        .arg(x)
                        .arg(y)
                        .arg(double(value), 0, 'g', 4));
    }
    void mouseMoveEvent(QMouseEvent* e) override
    {
        QString method;
        float value = 0;
        QPoint p;
        if (dragging_ && locate(e->position().toPoint(), method, value, p.rx(), p.ry())) {
            box = QRect(dragStart_, p).normalized().adjusted(0, 0, 1, 1);
            update();
        }
    }
    void mouseReleaseEvent(QMouseEvent*) override
    {
        if (!dragging_)
            return;
        dragging_ = false;
        if (onBox)
            onBox(box);
    }

private:
    bool dragging_ = false;
    QPoint dragStart_;
};

AttributionPanel::AttributionPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), canvas_(new AttributionCanvas), evidence_(new AttributionEvidence)
{
    method_ = new QComboBox;
    for (const auto& info : attributionMethods())
        method_->addItem(QString::fromStdString(info.label), QString::fromStdString(info.name));
    method_->addItem(tr("Compare all"), QStringLiteral("compare"));
    target_ = new QComboBox;
    target_->addItems({tr("top class"), tr("selected unit"), tr("class…"), tr("selected concept")});
    target_->setItemData(3,
        tr("The concept last chosen in the Concepts dock or the semantic dictionary "
           "(concept:LAYER:INDEX): the map explains its value"),
        Qt::ToolTipRole);
    className_ = new QLineEdit;
    className_->setPlaceholderText(tr("class name or number"));
    className_->setMinimumWidth(160);
    className_->setToolTip(tr("Explain any class: type its name (completed from the model's "
                              "labels) or its number"));
    connect(className_, &QLineEdit::textEdited, this, [this] { target_->setCurrentIndex(2); });
    connect(className_, &QLineEdit::returnPressed, this, &AttributionPanel::compute);
    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setRange(0, 100);
    opacity_->setValue(60);
    opacity_->setMaximumWidth(90);
    opacity_->setToolTip(tr("Opacity of the heat map"));
    // The tool bar holds the verb and what it explains; the class field, the opacity and the
    // evidence actions sit in two rows under it, so that nothing folds into » at the dock's
    // usual width.
    toolBar()->addWidget(method_);
    toolBar()->addAction(tr("Compute"), this, &AttributionPanel::compute);
    toolBar()->addWidget(target_);
    const auto button = [](QAction* action) {
        auto* b = new QToolButton;
        b->setDefaultAction(action);
        return b;
    };
    auto* heavy = new QAction(tr("Heavy metrics"), this);
    connect(heavy, &QAction::triggered, this, &AttributionPanel::requestHeavyMetrics);
    heavy->setToolTip(tr("MuFidelity and ROAD deletion / insertion for the maps shown "
                         "(a background job)"));
    auto* sanity = new QAction(tr("Sanity check"), this);
    connect(sanity, &QAction::triggered, this, &AttributionPanel::requestSanityCheck);
    sanity->setToolTip(tr("Randomise the model's layers from the top, in a copy, and explain a "
                          "random other class: does each map still change? (Adebayo et al.)"));
    auto* box = new QAction(tr("Object box"), this);
    box->setCheckable(true);
    box->setToolTip(tr("Drag a box around the object on a map: each map's share of positive "
                       "attribution inside it, and whether its peak is inside (pointing game)"));
    connect(box, &QAction::toggled, this, [this](bool on) {
        canvas_->drawingBox = on;
        canvas_->setCursor(on ? Qt::CrossCursor : Qt::ArrowCursor);
    });
    auto* controls = new QWidget;
    auto* rows = new QVBoxLayout(controls);
    rows->setContentsMargins(0, 0, 0, 0);
    auto* targetRow = new QHBoxLayout;
    targetRow->addWidget(className_, 1);
    targetRow->addWidget(new QLabel(tr("opacity")));
    targetRow->addWidget(opacity_);
    auto* evidenceRow = new QHBoxLayout;
    for (QAction* action : {heavy, sanity, box})
        evidenceRow->addWidget(button(action));
    evidenceRow->addStretch(1);
    rows->addLayout(targetRow);
    rows->addLayout(evidenceRow);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(canvas_);
    split->addWidget(evidence_);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    auto* body = new QWidget;
    auto* bodyLayout = new QVBoxLayout(body);
    bodyLayout->setContentsMargins(0, 0, 0, 0);
    bodyLayout->addWidget(controls);
    bodyLayout->addWidget(split, 1);
    setBody(body);
    canvas_->onValue = [this](const QString& text) { setStatus(text); };
    canvas_->captionSuffix = [this](int i) {
        return i < order_.size() ? evidence_->captionFor(order_[i]) : QString();
    };
    canvas_->flagged = [this](
                           int i) { return i < order_.size() && evidence_->isFlagged(order_[i]); };
    canvas_->onBox = [this](const QRect& r) { setObjectBox(r); };
    connect(opacity_, &QSlider::valueChanged, this, [this](int v) {
        canvas_->opacity = v / 100.0;
        canvas_->update();
    });
    setStatus(tr("Grad-CAM uses the selected layer; a unit target uses the selected unit."));
}

void AttributionPanel::setTopClass(int index, const QString& label)
{
    topClass_ = index;
    topLabel_ = label;
    target_->setItemText(0, index >= 0 ? tr("top class: %1").arg(label) : tr("top class"));
}

bool AttributionPanel::setMethod(const QString& method)
{
    const int index = method_->findData(method);
    if (index >= 0)
        method_->setCurrentIndex(index);
    return index >= 0;
}

void AttributionPanel::setClassLabels(const QStringList& labels)
{
    classLabels_ = labels;
    auto* completer = new QCompleter(labels, className_);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    delete className_->completer();
    className_->setCompleter(completer);
}

void AttributionPanel::setClassTarget(const QString& nameOrNumber)
{
    className_->setText(nameOrNumber);
    target_->setCurrentIndex(2);
}

int AttributionPanel::chosenClass() const
{
    const QString text = className_->text().trimmed();
    for (int i = 0; i < classLabels_.size(); ++i)
        if (classLabels_[i].compare(text, Qt::CaseInsensitive) == 0)
            return i;
    bool number = false;
    const int index = text.toInt(&number);
    const bool inRange = classLabels_.isEmpty() || index < classLabels_.size();
    return number && index >= 0 && inRange ? index : -1;
}

void AttributionPanel::setUnitTarget(bool unit)
{
    target_->setCurrentIndex(unit ? 1 : 0);
}

QString AttributionPanel::targetText() const
{
    if (target_->currentIndex() == 1)
        return selection()->channel() >= 0 ? QStringLiteral("unit:%1").arg(selection()->unitText())
                                           : QString();
    if (target_->currentIndex() == 2) {
        const int k = chosenClass();
        return k >= 0 ? QStringLiteral("class:%1").arg(k) : QString();
    }
    if (target_->currentIndex() == 3)
        return selection()->concept() >= 0 ? QStringLiteral("concept:%1:%2")
                                                 .arg(selection()->conceptLayer())
                                                 .arg(selection()->concept())
                                           : QString();
    return topClass_ >= 0 ? QStringLiteral("class:%1").arg(topClass_) : QString();
}

void AttributionPanel::compute()
{
    const QString target = targetText();
    if (target.isEmpty()) {
        setStatus(target_->currentIndex() == 1 ? tr("Select a unit (layer:channel) first.")
                : target_->currentIndex() == 3
                ? tr("Choose a concept first (Concepts dock, or the semantic dictionary).")
                : target_->currentIndex() == 2
                ? tr("'%1' is none of the model's classes: type a name from the list or a "
                     "class number.")
                      .arg(className_->text())
                : tr("The model shows no class for this image (not a classifier, or no image)."));
        return;
    }
    QStringList methods;
    if (method_->currentData().toString() == QLatin1String("compare"))
        for (int i = 0; i < method_->count() - 1; ++i)
            methods << method_->itemData(i).toString();
    else
        methods << method_->currentData().toString();
    clearMaps(tr("Computing %1 for %2…").arg(method_->currentText(), target));
    shownTarget_ = target;
    shownLayer_ = selection()->layer();
    emit attributionRequested(methods, target, shownLayer_);
}

void AttributionPanel::requestHeavyMetrics()
{
    requestEvidence(QStringLiteral("heavy"));
}

void AttributionPanel::requestSanityCheck()
{
    requestEvidence(QStringLiteral("sanity"));
}

void AttributionPanel::requestEvidence(const QString& kind)
{
    QStringList methods;
    for (const QString& m : order_)
        if (!maps_[m].values.empty())
            methods << m;
    if (methods.isEmpty()) {
        setStatus(tr("Compute a map first."));
        return;
    }
    setStatus(kind == QLatin1String("sanity")
            ? tr("Sanity check of %1: randomising a copy of the model layer by layer…")
                  .arg(methods.join(QStringLiteral(", ")))
            : tr("MuFidelity and ROAD for %1…").arg(methods.join(QStringLiteral(", "))));
    emit evidenceRequested(kind, methods, shownTarget_, shownLayer_);
}

void AttributionPanel::setMetrics(const QString& method, const AttributionMetrics& metrics)
{
    evidence_->setMetrics(method, methodLabel(method), metrics);
    canvas_->update();
}

void AttributionPanel::setHeavyMetrics(
    const QString& method, const HeavyAttributionMetrics& metrics)
{
    evidence_->setHeavyMetrics(method, metrics);
}

void AttributionPanel::setSanity(const QString& method, const SanityReport& report)
{
    evidence_->setSanity(method, report);
    canvas_->update();
    setStatus(report.flagged ? tr("%1 fails the sanity check (see the warning above the table).")
                                   .arg(methodLabel(method))
                             : tr("%1 passes the sanity check.").arg(methodLabel(method)));
}

void AttributionPanel::setObjectBox(const QRect& box)
{
    objectBox_ = box;
    canvas_->box = box;
    canvas_->update();
    updateLocalisation();
}

void AttributionPanel::updateLocalisation()
{
    evidence_->clearLocalisation();
    if (objectBox_.isEmpty())
        return;
    for (const QString& m : order_) {
        const AttributionMap& map = maps_[m];
        if (map.values.empty())
            continue;
        try {
            evidence_->setLocalisation(m,
                localise(map,
                    boxMask(map.width, map.height, objectBox_.left(), objectBox_.top(),
                        objectBox_.right() + 1, objectBox_.bottom() + 1)));
        } catch (const Error& e) {
            setStatus(QString::fromStdString(e.what()));
        }
    }
}

void AttributionPanel::clearMaps(const QString& message)
{
    maps_.clear();
    unavailable_.clear();
    order_.clear();
    canvas_->shown.clear();
    canvas_->unavailable.clear();
    canvas_->update();
    evidence_->clear();
    setStatus(message);
}

void AttributionPanel::addMap(const QString& method, const AttributionMap& map)
{
    if (!maps_.contains(method))
        order_ << method;
    maps_.insert(method, map);
    showMaps();
    updateLocalisation();
    setStatus(tr("%1: target value %2 — click the map to read values")
                  .arg(methodLabel(method))
                  .arg(double(map.targetValue), 0, 'g', 4));
}

void AttributionPanel::addUnavailable(const QString& method, const QString& reason)
{
    if (!maps_.contains(method))
        order_ << method;
    maps_.insert(method, AttributionMap());
    unavailable_.insert(method, reason);
    showMaps();
}

void AttributionPanel::showMaps()
{
    canvas_->shown.clear();
    canvas_->unavailable.clear();
    for (const QString& m : order_) {
        canvas_->shown << qMakePair(methodLabel(m), maps_.value(m));
        if (unavailable_.contains(m))
            canvas_->unavailable.insert(methodLabel(m), unavailable_.value(m));
    }
    canvas_->update();
}

QString AttributionPanel::methodLabel(const QString& method)
{
    return QString::fromStdString(attributionMethodLabel(method.toStdString()));
}

QString AttributionPanel::unavailableReason(const QString& method) const
{
    return unavailable_.value(method);
}

QString AttributionPanel::exportName() const
{
    return QStringLiteral("attribution-") + order_.join(QLatin1Char('-'));
}

QSize AttributionPanel::exportSize() const
{
    return QSize(720, 760);
}

void AttributionPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    canvas_->paintAll(painter, QRect(QPoint(0, 0), size));
}

QString AttributionPanel::exportTitle(const FigureContext& context) const
{
    // "Integrated gradients, Grad-CAM — class 281 tabby cat — tabby.jpg — BVLC GoogLeNet"
    QStringList methods;
    for (const QString& m : order_)
        methods << methodLabel(m);
    // Many methods do not fit on one line with the class and the model: name how many.
    const QString methodText = methods.size() > 3
        ? tr("%n attribution methods", nullptr, int(methods.size()))
        : methods.join(QStringLiteral(", "));
    QString target = shownTarget_.isEmpty() ? targetText() : shownTarget_;
    if (target.startsWith(QLatin1String("class:"))) {
        const int k = target.mid(6).toInt();
        target = k >= 0 && k < classLabels_.size() ? tr("class %1 %2").arg(k).arg(classLabels_[k])
                                                   : tr("class %1").arg(k);
    } else if (target.startsWith(QLatin1String("unit:"))) {
        target = tr("unit %1").arg(target.mid(5));
    }
    QStringList parts{methodText, target};
    if (!context.imagePath.isEmpty())
        parts << QFileInfo(context.imagePath).fileName();
    parts << (context.modelName.isEmpty() ? QFileInfo(context.modelPath).fileName()
                                          : context.modelName);
    parts.removeAll(QString());
    return parts.join(QStringLiteral(" — "));
}

QJsonObject AttributionPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("methods")] = order_.join(QStringLiteral(","));
    QJsonObject unavailable;
    for (auto it = unavailable_.begin(); it != unavailable_.end(); ++it)
        unavailable[it.key()] = it.value();
    if (!unavailable.isEmpty())
        p[QStringLiteral("unavailable")] = unavailable;
    p[QStringLiteral("target")] = shownTarget_.isEmpty() ? targetText() : shownTarget_;
    QJsonObject evidence;  // faithfulness, heavy metrics, sanity, box: what the dock showed
    for (const QString& m : order_)
        if (const QJsonObject e = evidence_->toJson(m); !e.isEmpty())
            evidence[m] = e;
    if (!evidence.isEmpty())
        p[QStringLiteral("evidence")] = evidence;
    if (!objectBox_.isEmpty())
        p[QStringLiteral("object_box")] = QStringLiteral("%1,%2,%3,%4")
                                              .arg(objectBox_.left())
                                              .arg(objectBox_.top())
                                              .arg(objectBox_.width())
                                              .arg(objectBox_.height());
    p[QStringLiteral("gradcam_layer")] = selection()->layer();
    p[QStringLiteral("opacity")] = canvas_->opacity;
    p[QStringLiteral("defaults")] = QStringLiteral(
        "smoothgrad n=32 sigma=0.15; ig 64 steps black baseline; occlusion patch 32 stride 8 grey");
    return p;
}

QString AttributionPanel::exportData() const
{
    // Long format, one row per pixel of the model input and method: easy to re-plot.
    QString csv = QStringLiteral("method,x,y,value\n");
    for (const QString& method : order_) {
        const AttributionMap& map = maps_[method];
        for (int y = 0; y < map.height; ++y)
            for (int x = 0; x < map.width; ++x)
                csv += QStringLiteral("%1,%2,%3,%4\n")
                           .arg(method)
                           .arg(x)
                           .arg(y)
                           .arg(double(map.values[size_t(y) * map.width + x]), 0, 'g', 6);
    }
    return order_.isEmpty() ? QString() : csv;
}

}  // namespace loupe::widgets
