#include "widgets/atlas_panel.h"

#include "core/colormap.h"
#include "core/tuning_figures.h"
#include "widgets/qt_image.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QGraphicsPixmapItem>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QTimer>
#include <QToolBar>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace loupe::widgets {
namespace {

constexpr double kCell = 64;  // scene units per grid cell

}  // namespace

AtlasPanel::AtlasPanel(const PanelServices& services, QWidget* parent) : Panel(services, parent)
{
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* controls = new QHBoxLayout;
    mode_ = new QComboBox;
    mode_->addItems({tr("activation atlas"), tr("image map")});
    mode_->setToolTip(
        tr("Activation atlas: cells of activation vectors drawn as feature visualizations.\n"
           "Image map: one thumbnail per image, placed by its pooled code; click one for its "
           "nearest neighbours."));
    grid_ = spinBox(0, 200, 0, tr("grid "), {},
        tr("Cells a side; auto: about ten samples per cell, so the map is dense"));
    grid_->setSpecialValueText(tr("grid auto"));
    samples_ = spinBox(1, 4096, 16, {}, tr(" per image"),
        tr("Activation vectors sampled at random positions of each image"));
    icons_ = spinBox(0, 5000, 2000, tr("icons "), {},
        tr("Feature visualizations for the cells with at least three samples, most populated "
           "first.\n"
           "They are rendered after the map appears, the cells in view first, and cached; until "
           "then\n"
           "a cell shows the mean of its dataset patches."));
    iconSteps_ = spinBox(8, 4096, 128, {}, tr(" steps"),
        tr("Optimisation steps per icon: 128 (the CPU default) gives clear icons; 512 (the GPU "
           "default)\n"
           "makes them vivid. Fewer steps leave them pale."));
    classFilter_ = new QComboBox;
    classFilter_->addItem(tr("all classes"), -1);
    classFilter_->setToolTip(tr("Class activation atlas: only the cells whose images the model "
                                "mostly assigns to this class"));
    colourByConcept_ = new QCheckBox(tr("colour by concept"));
    colourByConcept_->setEnabled(false);
    colourByConcept_->setToolTip(tr("Frame each cell by how strongly its mean vector points along "
                                    "the concept shown in the Concepts dock (this layer's "
                                    "dictionary); open a concept page to choose it"));
    colourByClass_ = new QCheckBox(tr("colour by class"));
    colourByClass_->setToolTip(
        tr("Frame each cell in the colour of the class the model mostly predicts for its images"));
    showImage_ = new QCheckBox(tr("this image"));
    showImage_->setToolTip(tr("Show where the current image's positions land on the map"));
    // Two rows, the actions in the tool bar (which folds into » when narrow): one long row
    // would make the whole dock area as wide as it.
    controls->addWidget(mode_);
    controls->addWidget(grid_);
    controls->addWidget(samples_);
    controls->addWidget(icons_);
    controls->addWidget(iconSteps_);
    auto* viewControls = new QHBoxLayout;
    viewControls->addWidget(classFilter_, 1);
    viewControls->addWidget(colourByClass_);
    viewControls->addWidget(colourByConcept_);
    viewControls->addWidget(showImage_);
    layout->addLayout(controls);
    layout->addLayout(viewControls);
    scene_ = new QGraphicsScene(this);
    view_ = new QGraphicsView(scene_);
    view_->setDragMode(QGraphicsView::ScrollHandDrag);
    view_->setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    view_->setRenderHint(QPainter::SmoothPixmapTransform);
    view_->setBackgroundBrush(Qt::white);
    view_->viewport()->setMouseTracking(true);
    view_->viewport()->installEventFilter(this);
    layout->addWidget(view_, 1);
    // Icons follow the view: the cells in it are rendered first.
    viewMoved_ = new QTimer(this);
    viewMoved_->setSingleShot(true);
    viewMoved_->setInterval(200);
    connect(viewMoved_, &QTimer::timeout, this, [this] { viewMoved(); });
    for (QScrollBar* bar : {view_->horizontalScrollBar(), view_->verticalScrollBar()})
        connect(bar, &QScrollBar::valueChanged, viewMoved_, qOverload<>(&QTimer::start));
    // In the tool bar, which folds into » when narrow: a row of controls sets the dock's width.
    toolBar()
        ->addAction(tr("Build…"), this, [this] { build(); })
        ->setToolTip(tr("Collect the selected layer's activations over a folder, lay them out in "
                        "2-D and draw the atlas"));
    toolBar()
        ->addAction(tr("Save Cell…"), this, [this] { saveSelected(); })
        ->setToolTip(tr("Save the selected cell's mean activation as a named direction "
                        "(objective direction:NAME)"));
    toolBar()
        ->addAction(tr("Fit"), this, &AtlasPanel::fitToView)
        ->setToolTip(tr("Fit the whole map in the view"));
    info_ = new QLabel;
    info_->setWordWrap(true);
    info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    patches_ = new QLabel;
    patches_->setMinimumHeight(68);
    layout->addWidget(info_);
    layout->addWidget(patches_);
    setBody(body);

    connect(classFilter_, &QComboBox::currentIndexChanged, this,
        [this] { setClassFilter(classFilter_->currentData().toInt()); });
    connect(colourByClass_, &QCheckBox::toggled, this, [this] { rebuildScene(); });
    connect(colourByConcept_, &QCheckBox::toggled, this, [this] { rebuildScene(); });
    connect(showImage_, &QCheckBox::toggled, this, [this](bool on) {
        if (on && atlas_)
            emit placementWanted();
        else
            setImagePlacement({});
    });
    clearAtlas(tr("Select a spatial layer and Build an atlas from a folder of images."));
}

void AtlasPanel::build(const QString& givenFolder)
{
    if (!selection() || selection()->layer().isEmpty()) {
        setStatus(tr("Select a spatial layer first."));
        return;
    }
    QString folder = givenFolder;
    if (folder.isEmpty())
        folder = QFileDialog::getExistingDirectory(this, tr("Folder of images for the atlas"));
    if (folder.isEmpty())
        return;
    setStatus(tr("building… (see Jobs)"));
    if (mode_->currentIndex() == 1)
        emit imageMapRequested(selection()->layer(), folder);
    else
        emit atlasRequested({selection()->layer(), folder, grid_->value(), samples_->value(),
            icons_->value(), iconSteps_->value()});
}

void AtlasPanel::setImageMapMode(bool imageMap)
{
    mode_->setCurrentIndex(imageMap ? 1 : 0);
}
void AtlasPanel::setIconSteps(int steps)
{
    iconSteps_->setValue(steps);
}

void AtlasPanel::setImageMap(std::shared_ptr<const ImageMap> map)
{
    imageMap_ = std::move(map);
    atlas_.reset();
    selected_ = hovered_ = -1;
    scene_->clear();
    constexpr double side = 1600, thumb = 48;
    for (size_t i = 0; i < imageMap_->thumbnails.size(); ++i) {
        auto* item = scene_->addPixmap(QPixmap::fromImage(toQImage(imageMap_->thumbnails[i])));
        item->setScale(thumb / std::max(1, imageMap_->thumbnails[i].width));
        item->setPos(imageMap_->coordinates[2 * i] * (side - thumb),
            (1 - imageMap_->coordinates[2 * i + 1]) * (side - thumb));
        item->setData(0, int(i));
        item->setToolTip(QString::fromStdString(imageMap_->images[i]));
    }
    view_->fitInView(scene_->itemsBoundingRect(), Qt::KeepAspectRatio);
    setStatus(
        tr("%1 images of %2 by their %3-D codes (%4). Click an image for its nearest neighbours.")
            .arg(imageMap_->images.size())
            .arg(QString::fromStdString(imageMap_->folder))
            .arg(imageMap_->dimension)
            .arg(QString::fromStdString(imageMap_->layer)));
}

void AtlasPanel::showNeighbours(int image)
{
    if (!imageMap_ || image < 0 || image >= int(imageMap_->images.size()))
        return;
    const auto nearest = nearestImages(*imageMap_, image, 8);
    std::vector<RgbImage> strip{imageMap_->thumbnails[size_t(image)]};
    QStringList names;
    for (int j : nearest) {
        strip.push_back(imageMap_->thumbnails[size_t(j)]);
        names << QString::fromStdString(imageMap_->images[size_t(j)]);
    }
    info_->setText(
        tr("%1 — nearest in %2: %3")
            .arg(QString::fromStdString(imageMap_->images[size_t(image)]),
                QString::fromStdString(imageMap_->layer), names.join(QStringLiteral(", "))));
    hovered_ = -2;  // the strip below is the neighbours, not a cell's patches
    const int side = 64;
    QImage picture(int(strip.size()) * (side + 4), side, QImage::Format_RGB32);
    picture.fill(Qt::white);
    QPainter p(&picture);
    for (size_t i = 0; i < strip.size(); ++i)
        p.drawImage(QRect(int(i) * (side + 4) + (i ? 8 : 0), 0, side, side), toQImage(strip[i]));
    p.end();
    patches_->setPixmap(QPixmap::fromImage(picture));
    selected_ = image;
}

void AtlasPanel::setAtlas(std::shared_ptr<const Atlas> atlas, const QMap<int, QString>& classLabels)
{
    imageMap_.reset();
    atlas_ = std::move(atlas);
    cellIcons_ = atlas_->icons;
    cellIcons_.resize(atlas_->cells.size());
    classLabels_ = classLabels;
    conceptLabel_.clear();  // another atlas: other cells
    conceptStrengths_.clear();
    colourByConcept_->setEnabled(false);
    colourByConcept_->setText(tr("colour by concept"));
    placement_.clear();
    selected_ = hovered_ = -1;
    filterClass_ = -1;
    // Classes by how many cells they dominate.
    std::map<int, int> dominated;
    for (int c = 0; c < int(atlas_->icons.size()); ++c)
        if (const int k = majorityClass(c); k >= 0)
            ++dominated[k];
    std::vector<std::pair<int, int>> order(dominated.begin(), dominated.end());
    std::stable_sort(order.begin(), order.end(),
        [](const auto& a, const auto& b) { return a.second > b.second; });
    classFilter_->blockSignals(true);
    classFilter_->clear();
    classFilter_->addItem(tr("all classes"), -1);
    classRank_.clear();
    for (const auto& [k, cells] : order) {
        classRank_.insert(k, classRank_.size());
        QPixmap swatch(12, 12);
        const Rgb c = familyColour(classRank_.value(k));
        swatch.fill(classRank_.value(k) < 10 ? QColor(c[0], c[1], c[2]) : QColor(150, 150, 150));
        classFilter_->addItem(QIcon(swatch),
            tr("%1 (%2 cells)").arg(classLabels_.value(k, QString::number(k))).arg(cells), k);
    }
    classFilter_->blockSignals(false);
    rebuildScene();
    fitToView();
    setStatus(tr("%1 samples of %2 from %3 images on a %4 × %4 grid: %5 cells (collect %6 s, "
                 "layout %7 s). Icons render in the background, the cells in view first; until "
                 "then a cell shows its mean dataset patch. "
                 "Wheel: zoom, drag: pan, hover: details, click: select.")
                  .arg(atlas_->samples.count())
                  .arg(QString::fromStdString(atlas_->layer))
                  .arg(atlas_->samples.images.size())
                  .arg(atlas_->grid)
                  .arg(atlas_->cells.size())
                  .arg(atlas_->collectSeconds, 0, 'f', 1)
                  .arg(atlas_->layoutSeconds, 0, 'f', 1));
    if (showImage_->isChecked())
        emit placementWanted();
}

int AtlasPanel::majorityClass(int cell) const
{
    if (!atlas_ || cell < 0 || cell >= int(atlas_->cells.size()))
        return -1;
    std::map<int, int> votes;
    for (int m : atlas_->cells[size_t(cell)].members) {
        const int image = atlas_->samples.image[size_t(m)];
        if (image < int(atlas_->samples.predictedClass.size()) &&
            atlas_->samples.predictedClass[size_t(image)] >= 0)
            ++votes[atlas_->samples.predictedClass[size_t(image)]];
    }
    int best = -1, count = 0;
    for (const auto& [k, n] : votes)
        if (n > count) {
            best = k;
            count = n;
        }
    return best;
}

namespace {
// Density as opacity (log scale), from half to full: sparse cells fade, but a typical cell
// keeps its colours (a floor of a quarter left most of a 1,000-photo atlas washed out).
double cellOpacity(size_t members, double logMost)
{
    return 0.5 + 0.5 * std::log1p(double(members)) / std::max(1e-9, logMost);
}
}  // namespace

void AtlasPanel::rebuildScene()
{
    scene_->clear();
    if (!atlas_)
        return;
    const double most =
        atlas_->cells.empty() ? 1.0 : std::log1p(double(atlas_->cells.front().members.size()));
    const double side = atlas_->grid * kCell;
    scene_->addRect(QRectF(0, 0, side, side), QPen(QColor(225, 225, 225)));
    // The concept's strengths as magma colours, scaled to the strongest cell.
    const bool byConcept = showsConcept();
    RgbImage conceptColours;
    float conceptTop = 0.f;
    if (byConcept) {
        FloatMap strengths{int(conceptStrengths_.size()), 1, conceptStrengths_};
        conceptTop = *std::max_element(conceptStrengths_.begin(), conceptStrengths_.end());
        conceptColours = colorize(strengths, 0.f, std::max(conceptTop, 1e-6f), Colormap::Magma);
    }
    for (int c = 0; c < int(atlas_->cells.size()); ++c) {
        const auto& cell = atlas_->cells[size_t(c)];
        // The icon once rendered; until then the cell's mean dataset patch, fainter.
        const bool hasIcon = c < int(cellIcons_.size()) && !cellIcons_[size_t(c)].empty();
        const bool hasPatch = c < int(atlas_->patches.size());
        if (!hasIcon && !hasPatch)
            continue;
        const RgbImage& picture = hasIcon ? cellIcons_[size_t(c)] : atlas_->patches[size_t(c)];
        auto* item = scene_->addPixmap(QPixmap::fromImage(toQImage(picture)));
        item->setTransformationMode(Qt::SmoothTransformation);
        item->setScale(kCell / std::max(1, picture.width));
        item->setPos(cell.column * kCell, (atlas_->grid - 1 - cell.row) * kCell);
        double opacity = cellOpacity(cell.members.size(), most);
        if (!hasIcon)
            opacity *= 0.7;
        if (filterClass_ >= 0 && majorityClass(c) != filterClass_)
            opacity = 0.06;
        if (byConcept && conceptTop > 0)  // a spotlight: where the concept is weak, icons fade
            opacity = 0.08 + 0.92 * std::clamp(conceptStrengths_[size_t(c)] / conceptTop, 0.f, 1.f);
        item->setOpacity(opacity);
        item->setData(0, c);
        if (byConcept && c < conceptColours.width) {
            const auto* rgb = conceptColours.pixel(c, 0);
            scene_->addRect(QRectF(cell.column * kCell + 1.5,
                                (atlas_->grid - 1 - cell.row) * kCell + 1.5, kCell - 3, kCell - 3),
                QPen(QColor(rgb[0], rgb[1], rgb[2]), 4));
        } else if (colourByClass_->isChecked())
            if (const int k = majorityClass(c); k >= 0) {
                const int rank = classRank_.value(k, 10);
                const Rgb colour = familyColour(rank);
                scene_->addRect(
                    QRectF(cell.column * kCell + 1.5, (atlas_->grid - 1 - cell.row) * kCell + 1.5,
                        kCell - 3, kCell - 3),
                    QPen(
                        rank < 10 ? QColor(colour[0], colour[1], colour[2]) : QColor(150, 150, 150),
                        3));
            }
    }
    if (selected_ >= 0 && selected_ < int(atlas_->cells.size())) {
        const auto& cell = atlas_->cells[size_t(selected_)];
        scene_->addRect(
            QRectF(cell.column * kCell, (atlas_->grid - 1 - cell.row) * kCell, kCell, kCell),
            QPen(QColor(255, 140, 0), 3));
    }
    for (size_t i = 0; i + 1 < placement_.size(); i += 2)
        scene_->addEllipse(
            QRectF(placement_[i] * side - 4, (1 - placement_[i + 1]) * side - 4, 8, 8),
            QPen(Qt::white), QBrush(QColor(220, 30, 30)));
}

void AtlasPanel::setCellIcon(int cell, const RgbImage& icon)
{
    if (!atlas_ || cell < 0 || cell >= int(cellIcons_.size()) || icon.empty())
        return;
    cellIcons_[size_t(cell)] = icon;
    // Replace the cell's picture where it is, without rebuilding the scene (hover and zoom
    // stay as they are).
    for (QGraphicsItem* item : scene_->items()) {
        auto* pixmap = qgraphicsitem_cast<QGraphicsPixmapItem*>(item);
        if (pixmap && pixmap->data(0).toInt() == cell) {
            pixmap->setPixmap(QPixmap::fromImage(toQImage(icon)));
            pixmap->setScale(kCell / std::max(1, icon.width));
            const auto& members = atlas_->cells[size_t(cell)].members;
            const double most = std::log1p(double(atlas_->cells.front().members.size()));
            if (filterClass_ < 0 && !showsConcept())
                pixmap->setOpacity(cellOpacity(members.size(), most));
            return;
        }
    }
    rebuildScene();
}

int AtlasPanel::iconCount() const
{
    return int(std::count_if(
        cellIcons_.begin(), cellIcons_.end(), [](const RgbImage& icon) { return !icon.empty(); }));
}

std::vector<int> AtlasPanel::visibleCells() const
{
    std::vector<int> cells;
    if (!atlas_)
        return cells;
    const QRectF view = view_->mapToScene(view_->viewport()->rect()).boundingRect();
    for (int c = 0; c < int(atlas_->cells.size()); ++c) {
        const auto& cell = atlas_->cells[size_t(c)];
        const QRectF r(cell.column * kCell, (atlas_->grid - 1 - cell.row) * kCell, kCell, kCell);
        if (view.intersects(r))
            cells.push_back(c);
    }
    return cells;
}

void AtlasPanel::viewMoved()
{
    if (!atlas_)
        return;
    const std::vector<int> cells = visibleCells();
    emit visibleCellsChanged(QList<int>(cells.begin(), cells.end()));
}

void AtlasPanel::fitToView()
{
    view_->fitInView(scene_->itemsBoundingRect(), Qt::KeepAspectRatio);
    viewMoved_->start();
}

int AtlasPanel::visibleIcons() const
{
    int n = 0;
    for (QGraphicsItem* item : scene_->items())
        n += item->type() == QGraphicsPixmapItem::Type && item->opacity() > 0.1;
    return n;
}

void AtlasPanel::setClassFilter(int classIndex)
{
    filterClass_ = classIndex;
    const int index = classFilter_->findData(classIndex);
    if (index >= 0 && index != classFilter_->currentIndex()) {
        classFilter_->blockSignals(true);
        classFilter_->setCurrentIndex(index);
        classFilter_->blockSignals(false);
    }
    rebuildScene();
}

void AtlasPanel::setColourByClass(bool on)
{
    colourByClass_->setChecked(on);
}

void AtlasPanel::setConceptStrengths(const QString& label, const std::vector<float>& strengths)
{
    conceptLabel_ = label;
    conceptStrengths_ = strengths;
    const bool usable = !label.isEmpty() && atlas_ && strengths.size() == atlas_->cells.size() &&
        !strengths.empty();
    colourByConcept_->setEnabled(usable);
    colourByConcept_->setText(usable ? tr("colour by %1").arg(label) : tr("colour by concept"));
    if (usable)
        colourByConcept_->setChecked(true);
    rebuildScene();
}

bool AtlasPanel::showsConcept() const
{
    return colourByConcept_->isChecked() && colourByConcept_->isEnabled() && atlas_ &&
        conceptStrengths_.size() == atlas_->cells.size() && !conceptStrengths_.empty();
}

void AtlasPanel::setImagePlacement(const std::vector<float>& coordinates)
{
    placement_ = coordinates;
    rebuildScene();
}

void AtlasPanel::hoverCell(int cell)
{
    if (!atlas_ || cell < 0 || cell >= int(atlas_->cells.size()) || cell == hovered_)
        return;
    hovered_ = cell;
    const auto& c = atlas_->cells[size_t(cell)];
    std::vector<int> order(c.mean.size());
    std::iota(order.begin(), order.end(), 0);
    const size_t top = std::min<size_t>(5, order.size());
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(top), order.end(),
        [&](int a, int b) { return c.mean[size_t(a)] > c.mean[size_t(b)]; });
    QStringList channels;
    for (size_t i = 0; i < top; ++i)
        channels << QStringLiteral("%1 (%2)").arg(order[i]).arg(
            double(c.mean[size_t(order[i])]), 0, 'g', 3);
    const int k = majorityClass(cell);
    info_->setText(
        tr("Cell (%1, %2): %3 samples. Top channels: %4.%5")
            .arg(c.column)
            .arg(c.row)
            .arg(c.members.size())
            .arg(channels.join(QStringLiteral(", ")))
            .arg(k >= 0
                    ? tr(" Mostly predicted: %1.").arg(classLabels_.value(k, QString::number(k)))
                    : QString()));
    patches_->clear();
    emit patchesWanted(cell);
}

void AtlasPanel::setCellPatches(int cell, const std::vector<RgbImage>& patches)
{
    if (cell != hovered_ || patches.empty())
        return;
    const int side = 64;
    QImage strip(int(patches.size()) * (side + 4), side, QImage::Format_RGB32);
    strip.fill(Qt::white);
    QPainter p(&strip);
    for (size_t i = 0; i < patches.size(); ++i)
        p.drawImage(QRect(int(i) * (side + 4), 0, side, side), toQImage(patches[i]));
    p.end();
    patches_->setPixmap(QPixmap::fromImage(strip));
}

void AtlasPanel::selectCell(int cell)
{
    if (!atlas_ || cell < 0 || cell >= int(atlas_->cells.size()))
        return;
    selected_ = cell;
    rebuildScene();
    setStatus(tr("Cell (%1, %2) selected: Save… keeps its mean activation as a named direction.")
                  .arg(atlas_->cells[size_t(cell)].column)
                  .arg(atlas_->cells[size_t(cell)].row));
}

void AtlasPanel::saveSelected(const QString& givenName)
{
    if (!atlas_ || selected_ < 0) {
        setStatus(tr("Click a cell of the atlas first."));
        return;
    }
    QString name = givenName;
    if (name.isEmpty()) {
        bool ok = false;
        name = QInputDialog::getText(this, tr("Save direction"),
            tr("Name (used as direction:NAME):"), QLineEdit::Normal,
            QStringLiteral("atlas-%1-%2")
                .arg(atlas_->cells[size_t(selected_)].column)
                .arg(atlas_->cells[size_t(selected_)].row),
            &ok)
                   .trimmed();
        if (!ok || name.isEmpty())
            return;
    }
    emit saveDirectionRequested(
        name, QString::fromStdString(atlas_->layer), atlas_->cells[size_t(selected_)].mean);
}

bool AtlasPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched != view_->viewport() || (!atlas_ && !imageMap_))
        return Panel::eventFilter(watched, event);
    const auto cellUnder = [this](const QPointF& at) {
        const QPointF p = view_->mapToScene(at.toPoint());
        for (QGraphicsItem* item : scene_->items(p))
            if (item->type() == QGraphicsPixmapItem::Type)
                return item->data(0).toInt();
        return -1;
    };
    if (event->type() == QEvent::Wheel) {
        const auto* wheel = static_cast<QWheelEvent*>(event);
        const double factor = std::pow(1.0015, wheel->angleDelta().y());
        view_->scale(factor, factor);
        viewMoved_->start();
        return true;
    }
    if (imageMap_) {
        if (event->type() == QEvent::MouseButtonRelease &&
            static_cast<QMouseEvent*>(event)->button() == Qt::LeftButton)
            showNeighbours(cellUnder(static_cast<QMouseEvent*>(event)->position()));
    } else if (event->type() == QEvent::MouseMove) {
        hoverCell(cellUnder(static_cast<QMouseEvent*>(event)->position()));
    } else if (event->type() == QEvent::MouseButtonDblClick ||
        (event->type() == QEvent::MouseButtonRelease &&
            static_cast<QMouseEvent*>(event)->button() == Qt::LeftButton)) {
        const int cell = cellUnder(static_cast<QMouseEvent*>(event)->position());
        if (cell >= 0)
            selectCell(cell);
    }
    return Panel::eventFilter(watched, event);
}

void AtlasPanel::clearAtlas(const QString& message)
{
    atlas_.reset();
    imageMap_.reset();
    scene_->clear();
    info_->clear();
    patches_->clear();
    setStatus(message);
}

QString AtlasPanel::exportName() const
{
    if (imageMap_)
        return QStringLiteral("image-map-%1").arg(QString::fromStdString(imageMap_->layer));
    return atlas_ ? QStringLiteral("atlas-%1").arg(QString::fromStdString(atlas_->layer))
                  : QStringLiteral("atlas");
}

QSize AtlasPanel::exportSize() const
{
    return QSize(720, 720);
}

void AtlasPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    // Icons stay embedded images in SVG/PDF; at high DPI in PNG they are drawn from the renders.
    scene_->render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), scene_->itemsBoundingRect(),
        Qt::KeepAspectRatio);
}

QJsonObject AtlasPanel::exportParameters() const
{
    QJsonObject p;
    if (!atlas_)
        return p;
    p[QStringLiteral("layer")] = QString::fromStdString(atlas_->layer);
    p[QStringLiteral("grid")] = atlas_->grid;
    p[QStringLiteral("samples")] = atlas_->samples.count();
    p[QStringLiteral("images")] = int(atlas_->samples.images.size());
    p[QStringLiteral("layout")] = QStringLiteral("UMAP-style: PCA 50, 15-NN, 200 epochs");
    p[QStringLiteral("folder")] = QString::fromStdString(atlas_->samples.folder);
    p[QStringLiteral("samples_per_image")] = samples_->value();
    p[QStringLiteral("cells")] = int(atlas_->cells.size());
    p[QStringLiteral("icons_rendered")] = iconCount();  // the rest show their mean patch
    p[QStringLiteral("icon")] = QStringLiteral("direction objective, 48 px, %1 steps, jitter 4 px")
                                    .arg(iconSteps_->value());
    p[QStringLiteral("opacity")] = QStringLiteral("0.5 + 0.5 log(1 + n) / log(1 + n_max)");
    p[QStringLiteral("class_filter")] = filterClass_;
    if (showsConcept())
        p[QStringLiteral("coloured_by_concept")] = conceptLabel_;  // magma: 0 .. strongest cell
    return p;
}

QString AtlasPanel::exportData() const
{
    if (imageMap_) {
        QString csv = QStringLiteral("image,layout_x,layout_y\n");
        for (size_t i = 0; i < imageMap_->images.size(); ++i)
            csv += QStringLiteral("\"%1\",%2,%3\n")
                       .arg(QString::fromStdString(imageMap_->images[i]))
                       .arg(double(imageMap_->coordinates[2 * i]))
                       .arg(double(imageMap_->coordinates[2 * i + 1]));
        return csv;
    }
    return atlas_ ? QString::fromStdString(atlasCoordinatesCsv(*atlas_)) : QString();
}

}  // namespace loupe::widgets
