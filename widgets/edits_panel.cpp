#include "widgets/edits_panel.h"

#include "core/error.h"
#include "core/unit_family.h"
#include "widgets/image_row.h"
#include "widgets/plot_export.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace loupe::widgets {
namespace {

// The comparison tabs, in order.
enum ComparisonTab { kTopFiveTab, kAccuracyTab, kTuningTab, kOcclusionTab };

QString percent(double fraction)
{
    return QStringLiteral("%1 %").arg(100.0 * fraction, 0, 'f', 1);
}

QString predictionText(const Prediction& p)
{
    return QStringLiteral("%1  %2")
        .arg(QString::fromStdString(p.label))
        .arg(p.probability, 0, 'f', 3);
}

}  // namespace

EditsPanel::EditsPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), kind_(new QComboBox), units_(new QLineEdit), list_(new QListWidget),
      applied_(new QLabel), tabs_(new QTabWidget), topFive_(new QTableWidget(5, 2)),
      accuracy_(new QLabel), classes_(new QTableWidget(0, 4)),
      randomControl_(new QCheckBox(tr("and 3 random sets of as many units (control)"))),
      downstream_(new QLineEdit), tuning_(new QCustomPlot),
      occlusion_(new ImageRow(tr("Occlusion of the image's top class, before and after")))
{
    kind_->addItem(tr("Zero"), int(ModelEdit::Kind::ZeroUnit));
    kind_->addItem(tr("Dataset mean"), int(ModelEdit::Kind::MeanUnit));
    kind_->addItem(tr("Cut kernel"), int(ModelEdit::Kind::CutWeights));
    kind_->setToolTip(tr("Zero a unit, hold it at its dataset mean (from the scan), or cut the "
                         "kernel from one input channel to a conv unit"));
    units_->setPlaceholderText(tr("layer:c1,c2,… or a family's name"));
    input_ = spinBox(0, 100000, 0, tr("from input "), {}, tr("Cut kernel: the input channel"));
    input_->setEnabled(false);
    connect(kind_, &QComboBox::currentIndexChanged, this, [this] {
        input_->setEnabled(
            ModelEdit::Kind(kind_->currentData().toInt()) == ModelEdit::Kind::CutWeights);
    });
    auto* add = new QPushButton(tr("Add"));
    connect(add, &QPushButton::clicked, this, &EditsPanel::addFromFields);
    connect(units_, &QLineEdit::returnPressed, this, &EditsPanel::addFromFields);
    auto* addSelected = new QPushButton(tr("Add Selected Unit"));
    connect(addSelected, &QPushButton::clicked, this, [this] {
        if (selection()->layer().isEmpty() || selection()->channel() < 0) {
            setStatus(tr("Select a unit first."));
            return;
        }
        addEdits(ModelEdit::Kind(kind_->currentData().toInt()),
            QStringLiteral("%1:%2").arg(selection()->layer()).arg(selection()->channel()),
            input_->value());
    });
    auto* remove = new QPushButton(tr("Remove"));
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = list_->currentRow();
        if (row >= 0 && row < int(edits_.edits.size())) {
            edits_.edits.erase(edits_.edits.begin() + row);
            refreshList();
        }
    });
    auto* clear = new QPushButton(tr("Clear"));
    connect(clear, &QPushButton::clicked, this, [this] {
        edits_ = {};
        refreshList();
    });

    toolBar()->addAction(tr("Apply to All Docks"), this, &EditsPanel::apply);
    toolBar()->addAction(tr("Original Model"), this, &EditsPanel::revert);
    toolBar()->addAction(tr("Save Edited Model…"), this, &EditsPanel::chooseSaveFile);

    // Evaluation tabs.
    topFive_->setHorizontalHeaderLabels({tr("original"), tr("edited")});
    topFive_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    topFive_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto* accuracyPage = new QWidget;
    auto* accuracyLayout = new QVBoxLayout(accuracyPage);
    auto* accuracyRow = new QHBoxLayout;
    auto* measure = new QPushButton(tr("Accuracy over a Labelled Folder…"));
    connect(measure, &QPushButton::clicked, this, &EditsPanel::chooseAccuracyFolder);
    accuracyRow->addWidget(measure);
    accuracyRow->addWidget(randomControl_);
    accuracyRow->addStretch(1);
    accuracy_->setWordWrap(true);
    accuracy_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    classes_->setHorizontalHeaderLabels(
        {tr("class (moved most)"), tr("photos"), tr("top-1 original"), tr("top-1 edited")});
    classes_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    classes_->horizontalHeader()->setStretchLastSection(true);
    classes_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    classes_->verticalHeader()->setVisible(false);
    accuracyLayout->addLayout(accuracyRow);
    accuracyLayout->addWidget(accuracy_);
    accuracyLayout->addWidget(classes_, 1);
    auto* tuningPage = new QWidget;
    auto* tuningLayout = new QVBoxLayout(tuningPage);
    auto* tuningRow = new QHBoxLayout;
    downstream_->setPlaceholderText(tr("downstream unit layer:channel"));
    auto* tune = new QPushButton(tr("Tuning Before / After"));
    connect(tune, &QPushButton::clicked, this, [this] {
        if (downstream_->text().trimmed().isEmpty())
            setStatus(tr("Give the downstream unit (layer:channel)."));
        else
            emit tuningRequested(downstream_->text().trimmed());
    });
    tuningRow->addWidget(downstream_, 1);
    tuningRow->addWidget(tune);
    tuning_->xAxis->setLabel(tr("curve orientation (degrees)"));
    tuning_->yAxis->setLabel(tr("response"));
    tuning_->legend->setVisible(true);
    tuning_->setMinimumHeight(160);
    tuningLayout->addLayout(tuningRow);
    tuningLayout->addWidget(tuning_, 1);
    auto* occlusionPage = new QWidget;
    auto* occlusionLayout = new QVBoxLayout(occlusionPage);
    auto* occlude = new QPushButton(tr("Occlusion Before / After"));
    connect(occlude, &QPushButton::clicked, this, &EditsPanel::occlusionRequested);
    occlusionLayout->addWidget(occlude, 0, Qt::AlignLeft);
    occlusionLayout->addWidget(occlusion_, 1);
    tabs_->addTab(topFive_, tr("Top-5"));
    tabs_->addTab(accuracyPage, tr("Accuracy"));
    tabs_->addTab(tuningPage, tr("Tuning"));
    tabs_->addTab(occlusionPage, tr("Occlusion"));

    auto* editor = new QWidget;
    auto* editorLayout = new QVBoxLayout(editor);
    editorLayout->setContentsMargins(4, 0, 4, 0);
    auto* fields = new QHBoxLayout;
    fields->addWidget(kind_);
    fields->addWidget(units_, 1);
    fields->addWidget(input_);
    fields->addWidget(add);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(addSelected);
    buttons->addWidget(remove);
    buttons->addWidget(clear);
    buttons->addStretch(1);
    applied_->setWordWrap(true);
    editorLayout->addLayout(fields);
    editorLayout->addLayout(buttons);
    editorLayout->addWidget(list_, 1);
    editorLayout->addWidget(applied_);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(editor);
    split->addWidget(tabs_);
    split->setSizes({200, 320});
    setBody(split);
    setApplied({});
    setStatus(tr("Edits change a copy of the model; the file you opened is never changed."));
}

void EditsPanel::setFamilies(const QMap<QString, QString>& families)
{
    families_ = families;
}

void EditsPanel::setEditList(const EditList& edits)
{
    edits_ = edits;
    refreshList();
}

void EditsPanel::setApplied(const EditList& applied)
{
    appliedEdits_ = applied;
    applied_->setText(applied.empty()
            ? tr("Every dock uses the original model.")
            : tr("<b>Every dock uses the edited model</b> (%n edit(s)); Original Model goes back.",
                  nullptr, int(applied.edits.size())));
    refreshList();
}

void EditsPanel::setDownstreamUnit(const QString& unit)
{
    downstream_->setText(unit);
}

void EditsPanel::setRandomControl(bool on)
{
    randomControl_->setChecked(on);
}

QString EditsPanel::downstreamUnit() const
{
    return downstream_->text().trimmed();
}

bool EditsPanel::addEdits(ModelEdit::Kind kind, const QString& units, int inputChannel)
{
    try {
        QString text = units.trimmed();
        if (families_.contains(text))
            text = families_.value(text);
        if (kind == ModelEdit::Kind::CutWeights) {
            edits_.add(ModelEdit::parse(
                "cut " + text.toStdString() + "<-" + std::to_string(inputChannel)));
        } else {
            const UnitFamily family = UnitFamily::parse(text.toStdString());
            for (const auto& edit : unitEdits(kind, family.layer, family.channels))
                edits_.add(edit);
        }
    } catch (const Error& e) {
        setStatus(QString::fromUtf8(e.what()));
        return false;
    }
    refreshList();
    setStatus(
        tr("%n edit(s) listed; Apply to All Docks uses them.", nullptr, int(edits_.edits.size())));
    return true;
}

void EditsPanel::addFromFields()
{
    if (units_->text().trimmed().isEmpty()) {
        setStatus(tr("Give units (layer:c1,c2,…) or a family's name."));
        return;
    }
    if (addEdits(ModelEdit::Kind(kind_->currentData().toInt()), units_->text(), input_->value()))
        units_->clear();
}

void EditsPanel::refreshList()
{
    list_->clear();
    for (const auto& edit : edits_.edits) {
        QString text = QString::fromStdString(edit.toString());
        if (edit.kind == ModelEdit::Kind::MeanUnit && edit.value == 0)
            text = tr("mean %1:%2 (from the scan when applied)")
                       .arg(QString::fromStdString(edit.layer))
                       .arg(edit.channel);
        list_->addItem(text);
    }
}

void EditsPanel::apply()
{
    emit applyRequested(edits_);
}

void EditsPanel::revert()
{
    emit applyRequested({});
}

void EditsPanel::chooseSaveFile()
{
    if (appliedEdits_.empty()) {
        setStatus(tr("Apply the edits first: the saved model is the one every dock uses."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Edited Model"), QStringLiteral("edited.pt"), tr("TorchScript (*.pt)"));
    if (!path.isEmpty())
        emit saveRequested(path);
}

void EditsPanel::chooseAccuracyFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Labelled Photos"), folder_);
    if (dir.isEmpty())
        return;
    folder_ = dir;
    emit accuracyRequested(dir, randomControl_->isChecked());
}

void EditsPanel::showTopFive(
    const std::vector<Prediction>& before, const std::vector<Prediction>& after)
{
    topFive_->clearContents();
    for (int i = 0; i < 5; ++i) {
        if (i < int(before.size()))
            topFive_->setItem(i, 0, new QTableWidgetItem(predictionText(before[size_t(i)])));
        if (i < int(after.size()))
            topFive_->setItem(i, 1, new QTableWidgetItem(predictionText(after[size_t(i)])));
    }
    setStatus(tr("Top-5 of the current image, original and edited."));
}

void EditsPanel::showAccuracy(const AccuracyComparison& a, const std::vector<double>& randomDrops)
{
    lastAccuracy_ = a;
    QString text = tr("<b>%1 photos</b>: top-1 %2 → %3, top-5 %4 → %5 (top-1 drop %6 points).")
                       .arg(a.images)
                       .arg(percent(a.rate(a.top1Before)), percent(a.rate(a.top1After)),
                           percent(a.rate(a.top5Before)), percent(a.rate(a.top5After)))
                       .arg(100.0 * (a.rate(a.top1Before) - a.rate(a.top1After)), 0, 'f', 1);
    if (!randomDrops.empty()) {
        double mean = 0;
        QStringList drops;
        for (double d : randomDrops) {
            mean += d / double(randomDrops.size());
            drops << QString::number(100.0 * d, 'f', 1);
        }
        text += tr(" As many random units of the same layer: drop %1 points on average (%2).")
                    .arg(100.0 * mean, 0, 'f', 1)
                    .arg(drops.join(QStringLiteral(", ")));
    }
    accuracy_->setText(text);
    classes_->setRowCount(0);
    for (const auto& c : a.classes) {
        if (c.change() == 0 || classes_->rowCount() >= 20)
            break;
        const int r = classes_->rowCount();
        classes_->insertRow(r);
        classes_->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(c.name)));
        classes_->setItem(r, 1, new QTableWidgetItem(QString::number(c.images)));
        classes_->setItem(r, 2, new QTableWidgetItem(QString::number(c.top1Before)));
        classes_->setItem(r, 3, new QTableWidgetItem(QString::number(c.top1After)));
    }
    tabs_->setCurrentIndex(kAccuracyTab);
    setStatus(tr("Accuracy of the original and the edited model on the same photos."));
}

void EditsPanel::showTuning(const QString& unit, const std::vector<double>& orientations,
    const std::vector<float>& before, const std::vector<float>& after)
{
    tuning_->clearGraphs();
    QVector<double> x(orientations.begin(), orientations.end());
    const auto curve = [&](const std::vector<float>& values, const QString& name, QColor colour) {
        auto* graph = tuning_->addGraph();
        graph->setName(name);
        graph->setPen(QPen(colour, 2));
        graph->setData(x, QVector<double>(values.begin(), values.end()));
    };
    curve(before, tr("%1 original").arg(unit), QColor(60, 110, 190));
    curve(after, tr("%1 edited").arg(unit), QColor(210, 80, 40));
    tuning_->rescaleAxes();
    tuning_->yAxis->setRangeLower(0);
    tuning_->replot();
    tabs_->setCurrentIndex(kTuningTab);
    setStatus(tr("Radial tuning of %1 to curves, original and edited.").arg(unit));
}

void EditsPanel::showOcclusion(const QImage& photo, const QImage& before, const QImage& after,
    const QString& klass, const ColourScale& scale)
{
    occlusion_->setImages({photo, before, after},
        {tr("photo"), tr("occlusion, original (%1)").arg(klass),
            tr("occlusion, edited (same scale)")});
    occlusion_->setScale(1, scale);
    occlusion_->setScale(2, scale);
    tabs_->setCurrentIndex(kOcclusionTab);
    setStatus(tr("Occlusion of %1, original and edited.").arg(klass));
}

ColourScale EditsPanel::occlusionScale(int index) const
{
    return occlusion_->scale(index);
}

void EditsPanel::clearResult(const QString& message)
{
    setStatus(message);
}

QString EditsPanel::accuracyText() const
{
    return accuracy_->text();
}

int EditsPanel::topFiveRows() const
{
    int rows = 0;
    for (int i = 0; i < 5; ++i)
        rows += topFive_->item(i, 1) != nullptr;
    return rows;
}

void EditsPanel::showTab(int index)
{
    tabs_->setCurrentIndex(index);
}

QString EditsPanel::exportName() const
{
    return QStringLiteral("circuit-edits");
}

QSize EditsPanel::exportSize() const
{
    // The occlusion row is as tall as its three square maps with captions and colour bars.
    return tabs_->currentIndex() == kOcclusionTab ? QSize(900, 320) : QSize(900, 420);
}

void EditsPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    painter.setPen(Qt::black);
    QStringList lines;
    for (const auto& e : appliedEdits_.edits)
        lines << QString::fromStdString(e.toString());
    painter.drawText(QRect(8, 4, size.width() / 3 - 16, size.height() - 8), Qt::TextWordWrap,
        tr("Edits:\n%1").arg(lines.join(QLatin1Char('\n'))));
    // Beside the edits, the comparison the dock shows: the figure is what the user sees.
    const QRect right(size.width() / 3, 4, size.width() * 2 / 3 - 8, size.height() - 8);
    switch (tabs_->currentIndex()) {
    case kTuningTab: paintPlot(painter, tuning_, right); break;
    case kOcclusionTab: occlusion_->paintAll(painter, right); break;
    default: {
        // The table pages (top-5, accuracy) as drawn, scaled to fit.
        QWidget* page = tabs_->currentWidget();
        const double scale = std::min(1.0,
            std::min(double(right.width()) / std::max(1, page->width()),
                double(right.height()) / std::max(1, page->height())));
        painter.save();
        painter.translate(right.topLeft());
        painter.scale(scale, scale);
        page->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
        painter.restore();
    }
    }
}

QJsonObject EditsPanel::exportParameters() const
{
    QJsonObject p;
    QJsonArray edits;
    for (const auto& e : appliedEdits_.edits)
        edits.append(QString::fromStdString(e.toString()));
    p[QStringLiteral("edits")] = edits;
    if (lastAccuracy_.images > 0) {
        p[QStringLiteral("accuracy_folder")] = folder_;
        p[QStringLiteral("photos")] = lastAccuracy_.images;
        p[QStringLiteral("top1_original")] = lastAccuracy_.rate(lastAccuracy_.top1Before);
        p[QStringLiteral("top1_edited")] = lastAccuracy_.rate(lastAccuracy_.top1After);
        p[QStringLiteral("top5_original")] = lastAccuracy_.rate(lastAccuracy_.top5Before);
        p[QStringLiteral("top5_edited")] = lastAccuracy_.rate(lastAccuracy_.top5After);
    }
    if (!downstream_->text().isEmpty())
        p[QStringLiteral("downstream_unit")] = downstream_->text();
    return p;
}

QString EditsPanel::exportData() const
{
    QString csv = QStringLiteral("class,photos,top1_original,top1_edited\n");
    for (const auto& c : lastAccuracy_.classes)
        csv += QStringLiteral("\"%1\",%2,%3,%4\n")
                   .arg(QString::fromStdString(c.name))
                   .arg(c.images)
                   .arg(c.top1Before)
                   .arg(c.top1After);
    return csv;
}

}  // namespace loupe::widgets
