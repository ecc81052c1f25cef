#include "widgets/concepts_panel.h"
#include "widgets/plot_legend.h"

#include "core/colormap.h"
#include "widgets/qt_image.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace loupe::widgets {
namespace {

constexpr int kCrop = 64;  // a patch in the page's 3 x 3 grids
constexpr int kPicture = 112;

QString percent(double share)
{
    return QStringLiteral("%1 %").arg(100.0 * share, 0, 'f', share < 0.01 ? 2 : 1);
}

// The examples as one row-major grid image (3 columns), for the page and the export.
RgbImage examplesGrid(const std::vector<ConceptExample>& examples)
{
    std::vector<RgbImage> tiles;
    for (const auto& e : examples)
        tiles.push_back(e.crop);
    if (tiles.empty())
        return {};
    return tileGrid(tiles, 3, kCrop, 3);
}

QString examplesTooltip(const std::vector<ConceptExample>& examples)
{
    QStringList lines;
    for (const auto& e : examples)
        lines << QStringLiteral("%1 @%2,%3: %4")
                     .arg(QString::fromStdString(e.image))
                     .arg(e.x)
                     .arg(e.y)
                     .arg(e.activation, 0, 'g', 3);
    return lines.join(QLatin1Char('\n'));
}

QLabel* imageLabel(int minimum)
{
    auto* label = new QLabel;
    label->setMinimumSize(minimum, minimum);
    label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    return label;
}

QTableWidgetItem* numberItem(double value, const QString& text)
{
    auto* item = new QTableWidgetItem;
    item->setData(Qt::DisplayRole, value);
    item->setData(Qt::ToolTipRole, text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

}  // namespace

ConceptsPanel::ConceptsPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), folderLabel_(new QLabel),
      maxImages_(spinBox(0, 1000000, 1000, tr("images "))),
      perImage_(spinBox(0, 100000, 0, tr("positions/image "))),
      atoms_(spinBox(2, 65536, 4096, tr("concepts "))), k_(spinBox(1, 1024, 32, tr("k "))),
      stepsBox_(spinBox(10, 1000000, 2000, tr("steps "))),
      secondSeed_(new QCheckBox(tr("second seed"))), curves_(new QCustomPlot), quality_(new QLabel),
      table_(new QTableWidget(0, 4)), picture_(imageLabel(kPicture)),
      examples_(imageLabel(3 * kCrop)), channelExamples_(imageLabel(3 * kCrop)),
      pageText_(new QLabel), histogram_(new QCustomPlot), name_(new QLineEdit)
{
    maxImages_->setToolTip(tr("Photos of the folder, evenly spread (0: all)"));
    perImage_->setToolTip(tr("Positions kept per photo, a seeded sample (0: every position)"));
    secondSeed_->setToolTip(tr("Train a second dictionary with another seed and report the "
                               "stability (mean Hungarian-matched cosine of their concepts)"));
    auto* chooseFolder = new QPushButton(tr("Folder…"));
    auto* collectButton = new QPushButton(tr("Collect"));
    collectButton->setToolTip(tr("Collect the selected layer's activation vectors over the folder "
                                 "(resumable: a cancelled collection continues where it stopped)"));
    auto* trainButton = new QPushButton(tr("Train"));
    trainButton->setToolTip(tr("Train a TopK sparse autoencoder on the collected vectors; Cancel "
                               "keeps the last checkpoint"));

    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* collectRow = new QHBoxLayout;
    collectRow->addWidget(chooseFolder);
    collectRow->addWidget(folderLabel_, 1);
    collectRow->addWidget(maxImages_);
    collectRow->addWidget(perImage_);
    collectRow->addWidget(collectButton);
    layout->addLayout(collectRow);
    auto* trainRow = new QHBoxLayout;
    trainRow->addWidget(atoms_);
    trainRow->addWidget(k_);
    trainRow->addWidget(stepsBox_);
    trainRow->addWidget(secondSeed_);
    trainRow->addStretch(1);
    trainRow->addWidget(trainButton);
    layout->addLayout(trainRow);

    curves_->setMinimumHeight(120);
    curves_->addGraph(curves_->xAxis, curves_->yAxis);
    curves_->addGraph(curves_->xAxis, curves_->yAxis2);
    curves_->addGraph(curves_->xAxis, curves_->yAxis2);
    curves_->graph(0)->setName(tr("loss (MSE)"));
    curves_->graph(1)->setName(tr("R²"));
    curves_->graph(2)->setName(tr("dead share"));
    curves_->graph(0)->setPen(QPen(QColor(200, 60, 40), 1.5));
    curves_->graph(1)->setPen(QPen(QColor(40, 110, 200), 1.5));
    curves_->graph(2)->setPen(QPen(QColor(120, 120, 120), 1.5, Qt::DashLine));
    curves_->xAxis->setLabel(tr("step"));
    curves_->yAxis->setLabel(tr("loss"));
    curves_->yAxis2->setVisible(true);
    curves_->yAxis2->setRange(0, 1);
    curves_->yAxis2->setLabel(tr("R², dead share"));
    curves_->legend->setFont(QFont(font().family(), 7));
    placeLegendOutside(curves_);
    quality_->setWordWrap(true);
    quality_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(curves_, 1);
    topLayout->addWidget(quality_);

    table_->setHorizontalHeaderLabels(
        {tr("concept"), tr("name"), tr("fires on %"), tr("top channel")});
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->hide();
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setSortingEnabled(true);
    table_->sortByColumn(0, Qt::AscendingOrder);
    table_->setMinimumHeight(90);

    auto* page = new QWidget;
    auto* pageLayout = new QGridLayout(page);
    pageText_->setWordWrap(true);
    pageText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* nameRow = new QHBoxLayout;
    name_->setPlaceholderText(tr("name this concept"));
    auto* saveDirection = new QPushButton(tr("Save as direction…"));
    saveDirection->setToolTip(tr("Save the concept's direction by name: direction:NAME in the "
                                 "Neuron, DeepDream and Atlas docks"));
    nameRow->addWidget(name_, 1);
    nameRow->addWidget(saveDirection);
    histogram_->setMinimumHeight(110);
    histogram_->xAxis->setLabel(tr("activation (where active)"));
    histogram_->yAxis->setLabel(tr("positions"));
    auto* conceptTitle = new QLabel(tr("<b>Concept's strongest patches</b>"));
    auto* channelTitle = new QLabel(tr("<b>Its top channel's strongest patches</b>"));
    conceptTitle->setWordWrap(true);
    channelTitle->setWordWrap(true);
    pageLayout->addWidget(picture_, 0, 0, 2, 1);
    pageLayout->addWidget(pageText_, 0, 1);
    pageLayout->addLayout(nameRow, 1, 1);
    pageLayout->addWidget(conceptTitle, 2, 0);
    pageLayout->addWidget(channelTitle, 2, 1);
    pageLayout->addWidget(examples_, 3, 0);
    pageLayout->addWidget(channelExamples_, 3, 1);
    pageLayout->addWidget(histogram_, 4, 0, 1, 2);
    pageLayout->setRowStretch(5, 1);
    pageLayout->setColumnStretch(1, 1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(page);
    scroll->setWidgetResizable(true);

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(top);
    split->addWidget(table_);
    split->addWidget(scroll);
    split->setSizes({180, 150, 420});
    layout->addWidget(split, 1);
    setBody(body);

    connect(chooseFolder, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(
            this, tr("Folder of photos for the concept dictionary"), folder_);
        if (!folder.isEmpty())
            setFolder(folder);
    });
    for (QSpinBox* box : {maxImages_, perImage_})
        connect(box, &QSpinBox::valueChanged, this, [this] { requestEstimate(); });
    connect(collectButton, &QPushButton::clicked, this, &ConceptsPanel::collect);
    connect(trainButton, &QPushButton::clicked, this, &ConceptsPanel::train);
    connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
        const auto rows = table_->selectionModel()->selectedRows();
        if (!rows.isEmpty())
            selectConcept(table_->item(rows.first().row(), 0)->data(Qt::DisplayRole).toInt());
    });
    connect(name_, &QLineEdit::editingFinished, this, [this] {
        const int concept = page_.concept;
        const QString name = name_->text().trimmed();
        if (!hasRecord_ || concept < 0 || concept >= record_.dictionary.atoms ||
            name.toStdString() == record_.names[size_t(concept)])
            return;
        record_.names[size_t(concept)] = name.toStdString();
        for (int row = 0; row < table_->rowCount(); ++row)
            if (table_->item(row, 0)->data(Qt::DisplayRole).toInt() == concept)
                table_->item(row, 1)->setText(name);
        drawPage();
        emit conceptNamed(QString::fromStdString(record_.layer), concept, name);
    });
    connect(saveDirection, &QPushButton::clicked, this, [this] { saveSelected(); });
    if (selection())
        connect(selection(), &UnitSelection::layerChanged, this, [this] { requestEstimate(); });
    clearRecord(tr("Select a spatial layer and a folder of photos, collect its vectors, then train "
                   "a dictionary."));
}

QString ConceptsPanel::layer() const
{
    return selection() ? selection()->layer() : QString();
}

void ConceptsPanel::setFolder(const QString& folder)
{
    folder_ = folder;
    folderLabel_->setText(folder.isEmpty() ? tr("(no folder)") : QFileInfo(folder).fileName());
    folderLabel_->setToolTip(folder);
    requestEstimate();
}

void ConceptsPanel::requestEstimate()
{
    if (!folder_.isEmpty() && !layer().isEmpty())
        emit estimateRequested(layer(), folder_, maxImages_->value(), perImage_->value());
}

void ConceptsPanel::setEstimate(const QString& text)
{
    setStatus(text);
}

void ConceptsPanel::setTrainingSettings(int atoms, int k, int steps, bool secondSeed)
{
    atoms_->setValue(atoms);
    k_->setValue(k);
    stepsBox_->setValue(steps);
    secondSeed_->setChecked(secondSeed);
}

void ConceptsPanel::collect()
{
    if (layer().isEmpty() || folder_.isEmpty()) {
        setStatus(tr("Select a layer and choose a folder of photos first."));
        return;
    }
    setStatus(tr("collecting…"));
    emit collectRequested(layer(), folder_, maxImages_->value(), perImage_->value());
}

void ConceptsPanel::train()
{
    if (layer().isEmpty()) {
        setStatus(tr("Select a layer first."));
        return;
    }
    if (k_->value() > atoms_->value()) {
        setStatus(tr("k cannot exceed the number of concepts."));
        return;
    }
    setStatus(tr("training…"));
    emit trainRequested(
        layer(), atoms_->value(), k_->value(), stepsBox_->value(), secondSeed_->isChecked());
}

void ConceptsPanel::startTraining()
{
    steps_.clear();
    for (int g = 0; g < 3; ++g)
        curves_->graph(g)->data()->clear();
    curves_->replot();
}

void ConceptsPanel::addTrainingStep(const TrainingStep& step)
{
    steps_.push_back(step);
    curves_->graph(0)->addData(step.step, step.loss);
    curves_->graph(1)->addData(step.step, step.explainedVariance);
    curves_->graph(2)->addData(step.step, step.deadShare);
    curves_->xAxis->setRange(0, std::max(1, step.step));
    bool found = false;
    const auto range = curves_->graph(0)->getValueRange(found);
    if (found)
        curves_->yAxis->setRange(0, range.upper * 1.05);
    curves_->replot(QCustomPlot::rpQueuedReplot);
}

QString ConceptsPanel::qualityText() const
{
    if (!hasRecord_)
        return {};
    const auto& r = record_;
    QString text = tr("<b>%1 concepts, k = %2</b> on %3 vectors of %4 photos%5<br>")
                       .arg(r.dictionary.atoms)
                       .arg(r.dictionary.k)
                       .arg(r.vectors)
                       .arg(r.images)
                       .arg(r.finished ? QString() : tr(" (<b>cancelled</b>: last checkpoint)"));
    text += tr("R² %1 · L0 %2<br>dead %3 (%4) · dense %5<br>")
                .arg(r.quality.explainedVariance, 0, 'f', 3)
                .arg(r.quality.meanL0, 0, 'f', 1)
                .arg(r.quality.deadAtoms)
                .arg(percent(double(r.quality.deadAtoms) / std::max(1, r.dictionary.atoms)))
                .arg(r.quality.denseAtoms);
    if (r.agreement)
        text += tr("top-1 agreement with the layer replaced: <b>%1</b> (mean ablation %2), loss "
                   "recovered %3, %4 photos<br>")
                    .arg(percent(r.agreement->topOneAgreement))
                    .arg(percent(r.agreement->meanAblationAgreement))
                    .arg(r.agreement->lossRecovered, 0, 'f', 3)
                    .arg(r.agreement->images);
    text += r.stability
        ? tr("stability (two seeds, matched cosine) %1").arg(*r.stability, 0, 'f', 3)
        : tr("stability: train with a second seed to measure it");
    return text;
}

void ConceptsPanel::setRecord(const ConceptDictionaryRecord& record)
{
    if (record.layer != record_.layer || record.dictionary.atoms != record_.dictionary.atoms) {
        page_ = {};
        pagePicture_ = {};
        drawPage();
    }
    record_ = record;
    hasRecord_ = true;
    setTrainingSettings(
        record.config.atoms, record.config.k, record.config.steps, secondSeed_->isChecked());
    if (!record.history.empty()) {  // the curves of the training that made it
        startTraining();
        for (const auto& step : record.history)
            addTrainingStep(step);
    }
    quality_->setText(qualityText());
    fillTable();
    setStatus(tr("%1 concepts of %2")
                  .arg(record.dictionary.atoms)
                  .arg(QString::fromStdString(record.layer)));
}

void ConceptsPanel::clearRecord(const QString& message)
{
    hasRecord_ = false;
    record_ = {};
    page_ = {};
    pagePicture_ = {};
    table_->setRowCount(0);
    quality_->setText(QString());
    drawPage();
    setStatus(message);
}

void ConceptsPanel::fillTable()
{
    table_->setSortingEnabled(false);
    table_->setRowCount(record_.dictionary.atoms);
    const int dims = record_.dictionary.dimensions;
    for (int a = 0; a < record_.dictionary.atoms; ++a) {
        const float* direction = record_.dictionary.decoder.data() + size_t(a) * size_t(dims);
        const int top = int(std::max_element(direction, direction + dims) - direction);
        const double share = a < int(record_.quality.firingShare.size())
            ? record_.quality.firingShare[size_t(a)]
            : 0.0;
        auto* index = numberItem(a, QString::fromStdString(conceptId(record_.layer, a)));
        auto* name = new QTableWidgetItem(QString::fromStdString(record_.names[size_t(a)]));
        name->setFlags(name->flags() & ~Qt::ItemIsEditable);
        auto* fires = numberItem(std::round(10000.0 * share) / 100.0,
            tr("active on %1 of the vectors").arg(percent(share)));
        auto* channel = new QTableWidgetItem(
            QStringLiteral("%1 (cos %2)").arg(top).arg(direction[top], 0, 'f', 2));
        channel->setData(Qt::UserRole, direction[top]);
        channel->setFlags(channel->flags() & ~Qt::ItemIsEditable);
        table_->setItem(a, 0, index);
        table_->setItem(a, 1, name);
        table_->setItem(a, 2, fires);
        table_->setItem(a, 3, channel);
    }
    table_->setSortingEnabled(true);
}

void ConceptsPanel::selectConcept(int concept)
{
    if (!hasRecord_ || concept < 0 || concept >= record_.dictionary.atoms)
        return;
    if (concept == page_.concept && !page_.examples.empty())
        return;
    setStatus(tr("concept %1: finding its patches…").arg(concept));
    emit conceptRequested(
        layer().isEmpty() ? QString::fromStdString(record_.layer) : layer(), concept);
}

void ConceptsPanel::setPage(const ConceptPage& page)
{
    if (page.concept != page_.concept)
        pagePicture_ = {};
    page_ = page;
    if (selection())  // the attribution dock's "selected concept"
        selection()->rememberConcept(QString::fromStdString(page.layer), page.concept);
    for (int row = 0; row < table_->rowCount(); ++row)
        if (table_->item(row, 0)->data(Qt::DisplayRole).toInt() == page.concept &&
            table_->currentRow() != row) {
            const QSignalBlocker quiet(table_);
            table_->selectRow(row);
            table_->scrollToItem(table_->item(row, 0), QAbstractItemView::PositionAtCenter);
        }
    drawPage();
    setStatus(tr("%1: %2 patches")
                  .arg(QString::fromStdString(conceptId(page.layer, page.concept)))
                  .arg(page.examples.size()));
}

void ConceptsPanel::setConceptPicture(int concept, const RgbImage& image)
{
    if (concept != page_.concept)
        return;
    pagePicture_ = image;
    drawPage();
}

void ConceptsPanel::drawPage()
{
    const bool shown = hasRecord_ && page_.concept >= 0;
    const auto pixmapOf = [](const RgbImage& image) {
        return image.empty() ? QPixmap() : QPixmap::fromImage(toQImage(image));
    };
    picture_->setPixmap(pixmapOf(pagePicture_));
    picture_->setToolTip(tr("Feature visualization of the concept's direction"));
    examples_->setPixmap(pixmapOf(examplesGrid(page_.examples)));
    examples_->setToolTip(examplesTooltip(page_.examples));
    channelExamples_->setPixmap(pixmapOf(examplesGrid(page_.channelExamples)));
    channelExamples_->setToolTip(examplesTooltip(page_.channelExamples));
    histogram_->clearPlottables();
    if (!shown) {
        pageText_->setText(QString());
        name_->clear();
        histogram_->replot();
        return;
    }
    name_->setText(QString::fromStdString(record_.names[size_t(page_.concept)]));
    pageText_->setText(tr("<b>%1</b><br>active on %2 of the positions, up to %3<br>weighs channel "
                          "%4 most (cosine %5)")
                           .arg(QString::fromStdString(conceptLabel(record_, page_.concept)))
                           .arg(percent(page_.firingShare))
                           .arg(page_.maxActivation, 0, 'g', 3)
                           .arg(page_.topChannel)
                           .arg(page_.topChannelWeight, 0, 'f', 2));
    auto* bars = new QCPBars(histogram_->xAxis, histogram_->yAxis);
    const int bins = int(page_.histogram.size());
    const double width = bins ? page_.maxActivation / bins : 1;
    QVector<double> keys, values;
    for (int b = 0; b < bins; ++b) {
        keys << (b + 0.5) * width;
        values << page_.histogram[size_t(b)];
    }
    bars->setData(keys, values);
    bars->setWidth(width);
    bars->setPen(Qt::NoPen);
    bars->setBrush(QColor(40, 110, 200));
    histogram_->rescaleAxes();
    histogram_->replot();
}

void ConceptsPanel::saveSelected(const QString& givenName)
{
    if (!hasRecord_ || page_.concept < 0) {
        setStatus(tr("Train a dictionary and select a concept first."));
        return;
    }
    QString name = givenName.isEmpty() ? name_->text().trimmed() : givenName;
    if (givenName.isEmpty()) {
        bool ok = false;
        name = QInputDialog::getText(this, tr("Save concept as a direction"),
            tr("Name (used as direction:NAME):"), QLineEdit::Normal,
            name.isEmpty() ? QStringLiteral("%1-concept%2")
                                 .arg(QString::fromStdString(record_.layer))
                                 .arg(page_.concept)
                           : name,
            &ok)
                   .trimmed();
        if (!ok || name.isEmpty())
            return;
    }
    const int dims = record_.dictionary.dimensions;
    const auto begin = record_.dictionary.decoder.begin() + std::ptrdiff_t(page_.concept) * dims;
    emit saveDirectionRequested(
        name, QString::fromStdString(record_.layer), std::vector<float>(begin, begin + dims));
}

QString ConceptsPanel::exportName() const
{
    return hasRecord_ ? QStringLiteral("concept-%1-%2")
                            .arg(QString::fromStdString(record_.layer))
                            .arg(page_.concept)
                      : QStringLiteral("concepts");
}

QSize ConceptsPanel::exportSize() const
{
    return QSize(3 * kCrop * 2 + kPicture + 60, 3 * kCrop + 60);
}

void ConceptsPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(), size), Qt::white);
    painter.setPen(Qt::black);
    QFont title = painter.font();
    title.setPointSizeF(9);
    painter.setFont(title);
    const QString heading = hasRecord_ && page_.concept >= 0
        ? tr("%1 (left: feature visualization of its direction; middle: its strongest patches; "
             "right: those of channel %2, the one it weighs most)")
              .arg(QString::fromStdString(conceptLabel(record_, page_.concept)))
              .arg(page_.topChannel)
        : tr("Concepts");
    painter.drawText(QRect(4, 2, size.width() - 8, 30), Qt::TextWordWrap, heading);
    int x = 4;
    if (!pagePicture_.empty()) {
        painter.drawImage(QRect(x, 36, kPicture, kPicture), toQImage(pagePicture_));
        x += kPicture + 8;
    }
    for (const auto* examples : {&page_.examples, &page_.channelExamples}) {
        const RgbImage grid = examplesGrid(*examples);
        if (!grid.empty()) {
            painter.drawImage(QPoint(x, 36), toQImage(grid));
            x += grid.width + 12;
        }
    }
}

QJsonObject ConceptsPanel::exportParameters() const
{
    QJsonObject o;
    if (!hasRecord_)
        return o;
    o[QStringLiteral("layer")] = QString::fromStdString(record_.layer);
    o[QStringLiteral("concepts")] = record_.dictionary.atoms;
    o[QStringLiteral("k")] = record_.dictionary.k;
    o[QStringLiteral("explained_variance")] = record_.quality.explainedVariance;
    o[QStringLiteral("mean_l0")] = record_.quality.meanL0;
    o[QStringLiteral("dead")] = record_.quality.deadAtoms;
    o[QStringLiteral("dense")] = record_.quality.denseAtoms;
    if (record_.agreement) {
        o[QStringLiteral("top1_agreement")] = record_.agreement->topOneAgreement;
        o[QStringLiteral("loss_recovered")] = record_.agreement->lossRecovered;
    }
    if (record_.stability)
        o[QStringLiteral("stability")] = *record_.stability;
    if (page_.concept >= 0) {
        o[QStringLiteral("concept")] =
            QString::fromStdString(conceptId(record_.layer, page_.concept));
        o[QStringLiteral("name")] = QString::fromStdString(record_.names[size_t(page_.concept)]);
        o[QStringLiteral("top_channel")] = page_.topChannel;
        o[QStringLiteral("top_channel_cosine")] = page_.topChannelWeight;
    }
    return o;
}

QString ConceptsPanel::exportData() const
{
    QString csv = QStringLiteral("which,image,x,y,activation\n");
    for (const auto& [which, examples] : {std::pair{QStringLiteral("concept"), &page_.examples},
             std::pair{QStringLiteral("channel"), &page_.channelExamples}})
        for (const auto& e : *examples)
            csv += QStringLiteral("%1,%2,%3,%4,%5\n")
                       .arg(which, QString::fromStdString(e.image))
                       .arg(e.x)
                       .arg(e.y)
                       .arg(e.activation);
    return csv;
}

}  // namespace loupe::widgets
