#include "widgets/layer_browser.h"

#include "widgets/unit_selection.h"

#include <QFontMetrics>
#include <QHeaderView>
#include <QLineEdit>
#include <QLocale>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace loupe::widgets {
namespace {

// Shape and dataset facts first: they are what a narrow dock should still show.
// Type is last: it is the only column that may be elided (the shape's tooltip repeats it), so a
// narrow dock cuts the module's type name rather than its parameter count.
enum Column { NameColumn, ShapeColumn, NotesColumn, ParamsColumn, TypeColumn };

// "inception_3b:413", "mixed3b:413@7,7": a typed unit id's layer and channel.
bool parseUnitText(const QString& text, QString& layer, int& channel)
{
    static const QRegularExpression unit(QStringLiteral(R"(^\s*([^:@\s]+):(\d+)(@\d+,\d+)?\s*$)"));
    const auto match = unit.match(text);
    if (!match.hasMatch())
        return false;
    layer = match.captured(1);
    channel = match.captured(2).toInt();
    return true;
}
constexpr int kPathRole = Qt::UserRole + 1;

QString shapeText(const LayerInfo& layer)
{
    if (!layer.addressable)
        return QStringLiteral("—");
    QStringList parts;
    for (auto s : layer.shape)
        parts << QString::number(s);
    return parts.join(QStringLiteral("×"));
}

}  // namespace

LayerBrowser::LayerBrowser(UnitSelection* selection, QWidget* parent)
    : QWidget(parent), selection_(selection), search_(new QLineEdit(this)),
      tree_(new QTreeWidget(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    search_->setPlaceholderText(tr("Search layers, or go to a unit: mixed3b:413"));
    search_->setToolTip(tr("Filters by path, alias or type. A unit id (layer:channel, the layer by "
                           "path or alias) filters by its layer; Enter selects the unit."));
    search_->setClearButtonEnabled(true);
    tree_->setColumnCount(5);
    tree_->setHeaderLabels(
        {tr("Layer"), tr("Output C×H×W"), tr("Dataset"), tr("Params"), tr("Type")});
    tree_->header()->setSectionResizeMode(NameColumn, QHeaderView::ResizeToContents);
    tree_->header()->setSectionResizeMode(ShapeColumn, QHeaderView::ResizeToContents);
    tree_->header()->setSectionResizeMode(NotesColumn, QHeaderView::ResizeToContents);
    tree_->header()->setSectionResizeMode(ParamsColumn, QHeaderView::ResizeToContents);
    // Empty until a scan annotates the layers: hidden till then, it would only take room.
    tree_->setColumnHidden(NotesColumn, true);
    tree_->setUniformRowHeights(true);
    tree_->setAlternatingRowColors(true);
    layout->addWidget(search_);
    layout->addWidget(tree_);

    connect(search_, &QLineEdit::textChanged, this, &LayerBrowser::applyFilter);
    connect(search_, &QLineEdit::returnPressed, this, &LayerBrowser::selectTypedUnit);
    connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item)
            selection_->selectLayer(item->data(NameColumn, kPathRole).toString());
    });
    connect(selection_, &UnitSelection::layerChanged, this, &LayerBrowser::followSelection);
}

void LayerBrowser::setLayers(const std::vector<LayerInfo>& layers)
{
    tree_->clear();
    items_.clear();
    aliases_.clear();
    channels_.clear();
    const QLocale locale;
    for (const auto& layer : layers) {
        const QString path = QString::fromStdString(layer.path);
        const int dot = path.lastIndexOf(QLatin1Char('.'));
        QTreeWidgetItem* parent = dot > 0 ? items_.value(path.left(dot)) : nullptr;
        auto* item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree_);
        item->setToolTip(ShapeColumn, QString::fromStdString(layer.type));
        QString name = dot > 0 ? path.mid(dot + 1) : path;
        if (!layer.alias.empty()) {
            name += QStringLiteral("  (%1)").arg(QString::fromStdString(layer.alias));
            aliases_.insert(QString::fromStdString(layer.alias), path);
        }
        channels_.insert(path, int(layer.channels()));
        item->setText(NameColumn, name);
        item->setData(NameColumn, kPathRole, path);
        item->setText(TypeColumn, QString::fromStdString(layer.type));
        item->setText(ShapeColumn, shapeText(layer));
        item->setText(ParamsColumn,
            layer.parameters ? locale.toString(qlonglong(layer.parameters)) : QString());
        item->setTextAlignment(ParamsColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setToolTip(NameColumn,
            path +
                (layer.alias.empty()
                        ? QString()
                        : QStringLiteral(" = ") + QString::fromStdString(layer.alias)));
        if (!layer.addressable) {
            item->setForeground(NameColumn, palette().color(QPalette::Disabled, QPalette::Text));
            item->setToolTip(NameColumn,
                tr("%1: cannot be captured: %2").arg(path, QString::fromStdString(layer.note)));
        }
        items_.insert(path, item);
    }
    tree_->expandToDepth(0);
    applyFilter();
}

void LayerBrowser::setScanSummaries(const std::vector<LayerScanSummary>& summaries)
{
    QHash<QString, QPair<QString, QString>> notes;
    const auto list = [](const std::vector<int>& channels) {
        QStringList out;
        for (size_t i = 0; i < channels.size() && i < 40; ++i)
            out << QString::number(channels[i]);
        return out.join(QStringLiteral(", ")) +
            (channels.size() > 40 ? QStringLiteral(", …") : QString());
    };
    for (const auto& s : summaries) {
        QStringList parts;
        if (s.receptiveField > 0)
            parts << tr("RF %1").arg(s.receptiveField);
        if (!s.dead.empty())
            parts << tr("%1 dead").arg(s.dead.size());
        if (!s.rare.empty())
            parts << tr("%1 rare").arg(s.rare.size());
        notes.insert(QString::fromStdString(s.layer),
            {parts.join(QStringLiteral(" · ")),
                tr("Receptive field %1 px (measured).\nDead (never > 0 on the scanned images): "
                   "%2\nRarely firing (< 0.5% of positions): %3")
                    .arg(s.receptiveField)
                    .arg(s.dead.empty() ? tr("none") : list(s.dead))
                    .arg(s.rare.empty() ? tr("none") : list(s.rare))});
    }
    setAnnotations(notes);
}

void LayerBrowser::setAnnotations(const QHash<QString, QPair<QString, QString>>& textAndTooltip)
{
    tree_->setColumnHidden(NotesColumn,
        std::none_of(textAndTooltip.begin(), textAndTooltip.end(),
            [](const QPair<QString, QString>& note) { return !note.first.isEmpty(); }));
    for (auto it = items_.begin(); it != items_.end(); ++it) {
        const auto note = textAndTooltip.value(it.key());
        it.value()->setText(NotesColumn, note.first);
        it.value()->setToolTip(NotesColumn, note.second);
        it.value()->setForeground(NotesColumn,
            note.first.contains(QLatin1String("dead")) ? QColor(200, 40, 40)
                                                       : palette().color(QPalette::Text));
    }
}

int LayerBrowser::widthForAllColumns() const
{
    // What ResizeToContents would give every column, counted over all rows (the text, a
    // cell's padding, and the tree's indentation in the first column).
    const QFontMetrics metrics(tree_->font());
    constexpr int kPadding = 16;
    QVector<int> widths(tree_->columnCount());
    for (int c = 0; c < widths.size(); ++c)
        widths[c] = tree_->header()->sectionSizeHint(c);
    for (QTreeWidgetItem* item : items_) {
        int depth = 1;
        for (auto* p = item->parent(); p; p = p->parent())
            ++depth;
        for (int c = 0; c < widths.size(); ++c)
            widths[c] = std::max(widths[c],
                metrics.horizontalAdvance(item->text(c)) + kPadding +
                    (c == NameColumn ? depth * tree_->indentation() : 0));
    }
    int columns = 0;
    for (int c = 0; c < widths.size(); ++c)
        if (!tree_->isColumnHidden(c))
            columns += widths[c];
    const QMargins margins = layout()->contentsMargins();
    return columns + 2 * tree_->frameWidth() + tree_->verticalScrollBar()->sizeHint().width() +
        margins.left() + margins.right();
}

void LayerBrowser::setFilter(const QString& text)
{
    search_->setText(text);
}

int LayerBrowser::visibleLayerCount() const
{
    int n = 0;
    for (auto* item : items_)
        n += !item->isHidden();
    return n;
}

bool LayerBrowser::selectTypedUnit()
{
    if (search_->text().trimmed().startsWith(QLatin1String("loupe://"))) {
        const QString link = search_->text().trimmed();
        search_->clear();  // a link filters no layer
        emit linkEntered(link);
        return true;
    }
    QString layer;
    int channel = -1;
    if (!parseUnitText(search_->text(), layer, channel))
        return false;
    const QString path = items_.contains(layer) ? layer : aliases_.value(layer);
    if (path.isEmpty() || channel >= channels_.value(path))
        return false;
    selection_->selectUnit(path, channel);
    emit unitTyped(path, channel);
    return true;
}

void LayerBrowser::applyFilter()
{
    QString needle = search_->text().trimmed();
    QString unitLayer;
    int channel = -1;
    if (parseUnitText(needle, unitLayer, channel))
        needle = unitLayer;  // a typed unit id filters by its layer
    // A match keeps its ancestors visible so the tree still reads as a tree.
    for (auto it = items_.begin(); it != items_.end(); ++it) {
        QTreeWidgetItem* item = it.value();
        const bool match = needle.isEmpty() || it.key().contains(needle, Qt::CaseInsensitive) ||
            item->text(NameColumn).contains(needle, Qt::CaseInsensitive) ||
            item->text(TypeColumn).contains(needle, Qt::CaseInsensitive);
        item->setHidden(!match);
    }
    if (!needle.isEmpty()) {
        for (auto* item : items_) {
            if (item->isHidden())
                continue;
            for (auto* p = item->parent(); p; p = p->parent()) {
                p->setHidden(false);
                p->setExpanded(true);
            }
        }
    }
}

void LayerBrowser::followSelection(const QString& layer)
{
    QTreeWidgetItem* item = items_.value(layer);
    if (item && tree_->currentItem() != item) {
        const QSignalBlocker block(tree_);
        tree_->setCurrentItem(item);
        tree_->scrollToItem(item);
    }
}

}  // namespace loupe::widgets
