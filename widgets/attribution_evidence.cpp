#include "widgets/attribution_evidence.h"
#include "widgets/plot_legend.h"

#include "core/tuning_figures.h"

#include <qcustomplot.h>

#include <QHeaderView>
#include <QScrollBar>
#include <QJsonArray>
#include <QLabel>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace loupe::widgets {
namespace {

enum Column {
    Method,
    Deletion,
    Insertion,
    Sparseness,
    Complexity,
    Completeness,
    MuFidelity,
    RoadDeletion,
    Randomised,
    RandomTarget,
    InBox,
    Verdict,
    Columns
};

// The colours of the CLI's figures (Tableau 10).
QColor methodColour(int index)
{
    const Rgb c = familyColour(index);
    return QColor(c[0], c[1], c[2]);
}

// A cell that sorts by its number, not its text.
class NumberItem : public QTableWidgetItem {
public:
    using QTableWidgetItem::QTableWidgetItem;
    bool operator<(const QTableWidgetItem& other) const override
    {
        return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
    }
};

QJsonArray toArray(const std::vector<float>& values)
{
    QJsonArray a;
    for (float v : values)
        a.append(double(v));
    return a;
}

QJsonObject curveJson(const PerturbationCurve& c)
{
    return {{QStringLiteral("auc"), double(c.auc)},
        {QStringLiteral("fractions"), toArray(c.fractions)},
        {QStringLiteral("scores"), toArray(c.scores)}};
}

}  // namespace

AttributionEvidence::AttributionEvidence(QWidget* parent)
    : QWidget(parent), table_(new QTableWidget(0, Columns)), tabs_(new QTabWidget),
      curves_(new QCustomPlot), cascades_(new QCustomPlot), warning_(new QLabel)
{
    table_->setHorizontalHeaderLabels(
        {tr("Method"), tr("Deletion ↓"), tr("Insertion ↑"), tr("Sparseness"), tr("Complexity"),
            tr("Completeness gap"), tr("MuFidelity"), tr("ROAD deletion ↓"), tr("Randomised ↓"),
            tr("Other target ↓"), tr("In box"), tr("Verdict")});
    const QStringList tips = {{},
        tr("Area under the target's probability as the map's most important pixels are removed "
           "(blurred): low means the map found what the model uses"),
        tr("Area under the probability as those pixels are inserted into a blurred image: high "
           "is good"),
        tr("Gini index of |map|: 0 spread evenly, 1 one pixel"),
        tr("Entropy of |map|, normalised: 0 one pixel, 1 uniform"),
        tr("Integrated gradients / FullGrad: how far the map's sum is from what it explains, "
           "relative"),
        tr("Correlation between the map's sum over random cells and the drop when they are removed "
           "(Heavy metrics)"),
        tr("Deletion with ROAD's noisy linear imputation instead of a blur (Heavy metrics)"),
        tr("Spearman correlation with the trained model's map once the upper half of the layers "
           "is randomised (Sanity check): high means the map ignores the model"),
        tr("Spearman correlation with the map of a random other class"),
        tr("Share of the map's positive mass inside the drawn box; ✓ when its peak is inside"),
        tr("Sanity check verdict")};
    for (int c = 0; c < Columns; ++c)
        if (!tips[c].isEmpty())
            table_->horizontalHeaderItem(c)->setToolTip(tips[c]);
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->setSortingEnabled(true);
    // Rows keep the methods' order until a header is clicked.
    table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    fitTableHeight();
    connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
        const auto rows = table_->selectionModel()->selectedRows();
        if (!rows.isEmpty())
            showCurves(table_->item(rows.first().row(), Method)->data(Qt::UserRole).toString());
    });

    for (QCustomPlot* plot : {curves_, cascades_}) {
        plot->setMinimumHeight(150);
        plot->xAxis->setTickLabelFont(QFont(font().family(), 7));
        plot->yAxis->setTickLabelFont(QFont(font().family(), 7));
        plot->legend->setFont(QFont(font().family(), 8));
        placeLegendOutside(plot);
    }
    curves_->xAxis->setLabel(tr("share of pixels removed / inserted (most important first)"));
    curves_->yAxis->setLabel(tr("target probability"));
    curves_->xAxis->setRange(0, 1);
    cascades_->xAxis->setLabel(tr("blocks randomised from the top"));
    cascades_->yAxis->setLabel(tr("Spearman to trained"));
    cascades_->yAxis->setRange(-1, 1);

    warning_->setWordWrap(true);
    warning_->setStyleSheet(QStringLiteral("color: #b42318; font-weight: bold"));
    warning_->hide();
    tabs_->setMinimumHeight(240);
    tabs_->addTab(curves_, tr("Deletion / insertion"));
    tabs_->addTab(cascades_, tr("Randomisation"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(warning_);
    layout->addWidget(table_, 2);
    layout->addWidget(tabs_, 3);
}

// The table as tall as its rows (up to five, then it scrolls), so one map leaves the plots room.
void AttributionEvidence::fitTableHeight()
{
    const int rows = std::clamp(table_->rowCount(), 1, 5);
    const int height = rows * table_->verticalHeader()->defaultSectionSize() +
        table_->horizontalHeader()->sizeHint().height() +
        table_->horizontalScrollBar()->sizeHint().height() + 2 * table_->frameWidth();
    table_->setMinimumHeight(std::min(height, 3 * table_->verticalHeader()->defaultSectionSize()));
    table_->setMaximumHeight(height);
}

void AttributionEvidence::clear()
{
    table_->setRowCount(0);
    fitTableHeight();
    labels_.clear();
    metrics_.clear();
    heavy_.clear();
    sanity_.clear();
    localisation_.clear();
    curves_->clearGraphs();
    curves_->replot();
    cascades_->clearGraphs();
    cascades_->replot();
    updateWarning();
}

int AttributionEvidence::rowCount() const
{
    return table_->rowCount();
}

int AttributionEvidence::rowOf(const QString& method, const QString& label)
{
    for (int r = 0; r < table_->rowCount(); ++r)
        if (table_->item(r, Method)->data(Qt::UserRole).toString() == method)
            return r;
    const int r = table_->rowCount();
    table_->insertRow(r);
    auto* item = new QTableWidgetItem(label);
    item->setData(Qt::UserRole, method);
    table_->setItem(r, Method, item);
    for (int c = 1; c < Columns; ++c)
        table_->setItem(r, c, new NumberItem(QString()));
    if (!labels_.contains(method))
        labels_.insert(method, label);
    fitTableHeight();
    return r;
}

void AttributionEvidence::setCell(int row, int column, double value, bool valid, const QString& tip)
{
    auto* item = table_->item(row, column);
    item->setText(valid ? QString::number(value, 'f', 3) : QStringLiteral("–"));
    item->setData(Qt::UserRole, valid ? value : std::nan(""));
    item->setToolTip(tip);
}

// Sorting moves rows as cells change, so a row is filled with sorting off and sorted after.
class AttributionEvidence::SortingPause {
public:
    explicit SortingPause(QTableWidget* table) : table_(table) { table_->setSortingEnabled(false); }
    ~SortingPause() { table_->setSortingEnabled(true); }

private:
    QTableWidget* table_;
};

void AttributionEvidence::setMetrics(
    const QString& method, const QString& label, const AttributionMetrics& m)
{
    metrics_.insert(method, m);
    {
        const SortingPause pause(table_);
        const int r = rowOf(method, label);
        setCell(r, Deletion, m.deletion.auc);
        setCell(r, Insertion, m.insertion.auc);
        setCell(r, Sparseness, m.sparseness);
        setCell(r, Complexity, m.complexity);
        setCell(r, Completeness, m.completenessGap, m.hasCompleteness);
    }
    // The curves stay those of the row the user chose; the first map's until then.
    if (table_->selectionModel()->selectedRows().isEmpty())
        table_->selectRow(rowOf(method, label));
    else
        showSelectedCurves();
}

void AttributionEvidence::setHeavyMetrics(const QString& method, const HeavyAttributionMetrics& m)
{
    heavy_.insert(method, m);
    {
        const SortingPause pause(table_);
        const int r = rowOf(method, labels_.value(method, method));
        setCell(r, MuFidelity, m.muFidelity);
        setCell(r, RoadDeletion, m.roadDeletion.auc);
    }
    showSelectedCurves();
}

void AttributionEvidence::showSelectedCurves()
{
    const auto selected = table_->selectionModel()->selectedRows();
    if (!selected.isEmpty())
        showCurves(table_->item(selected.first().row(), Method)->data(Qt::UserRole).toString());
}

void AttributionEvidence::setSanity(const QString& method, const SanityReport& report)
{
    sanity_.insert(method, report);
    {
        const SortingPause pause(table_);
        const int r = rowOf(method, labels_.value(method, method));
        if (!report.cascade.empty()) {
            const auto& verdict = report.cascade[size_t(report.upperHalfStep)];
            setCell(r, Randomised, verdict.similarity.spearman, true,
                tr("randomised down to %1: SSIM %2, top-5 %% overlap %3")
                    .arg(QString::fromStdString(verdict.block))
                    .arg(double(verdict.similarity.ssim), 0, 'f', 2)
                    .arg(double(verdict.similarity.topOverlap), 0, 'f', 2));
        }
        setCell(r, RandomTarget, report.randomTargetSimilarity.spearman, report.hasRandomTarget,
            report.hasRandomTarget ? QString::fromStdString(report.randomTarget.toString())
                                   : QString());
        auto* verdict = table_->item(r, Verdict);
        verdict->setText(report.flagged ? tr("⚠ fails") : tr("passes"));
        verdict->setData(Qt::UserRole, report.flagged ? 1.0 : 0.0);
        verdict->setForeground(report.flagged ? QColor(180, 35, 24) : QColor(30, 120, 50));
        verdict->setToolTip(QString::fromStdString(report.warning));
    }
    showCascades();
    updateWarning();
}

void AttributionEvidence::setLocalisation(const QString& method, const Localisation& l)
{
    localisation_.insert(method, l);
    const SortingPause pause(table_);
    const int r = rowOf(method, labels_.value(method, method));
    setCell(r, InBox, l.energyInside, true,
        l.pointingHit ? tr("the map's peak is inside the box") : tr("the map's peak is outside"));
    table_->item(r, InBox)->setText(QString::number(double(l.energyInside), 'f', 2) +
        (l.pointingHit ? QStringLiteral(" ✓") : QString()));
}

void AttributionEvidence::clearLocalisation()
{
    localisation_.clear();
    const SortingPause pause(table_);
    for (int r = 0; r < table_->rowCount(); ++r)
        setCell(r, InBox, 0, false);
}

void AttributionEvidence::showCurves(const QString& method)
{
    curves_->clearGraphs();
    const auto add = [&](const PerturbationCurve& c, const QString& name, const QColor& colour,
                         Qt::PenStyle style) {
        auto* g = curves_->addGraph();
        QVector<double> x, y;
        for (size_t i = 0; i < c.fractions.size(); ++i) {
            x << c.fractions[i];
            y << c.scores[i];
        }
        g->setData(x, y);
        g->setName(name);
        g->setPen(QPen(colour, 2, style));
    };
    if (metrics_.contains(method)) {
        const auto& m = metrics_[method];
        add(m.deletion, tr("deletion (%1)").arg(double(m.deletion.auc), 0, 'f', 3),
            QColor(214, 39, 40), Qt::SolidLine);
        add(m.insertion, tr("insertion (%1)").arg(double(m.insertion.auc), 0, 'f', 3),
            QColor(31, 119, 180), Qt::SolidLine);
        curves_->yAxis->setLabel(QString::fromStdString(m.quantity));
    }
    if (heavy_.contains(method)) {
        const auto& h = heavy_[method];
        add(h.roadDeletion, tr("ROAD deletion (%1)").arg(double(h.roadDeletion.auc), 0, 'f', 3),
            QColor(214, 39, 40), Qt::DashLine);
        add(h.roadInsertion, tr("ROAD insertion (%1)").arg(double(h.roadInsertion.auc), 0, 'f', 3),
            QColor(31, 119, 180), Qt::DashLine);
    }
    curves_->xAxis->setLabel(tr("%1: share of pixels removed / inserted, most important first")
                                 .arg(labels_.value(method, method)));
    curves_->rescaleAxes();
    curves_->xAxis->setRange(0, 1);
    curves_->yAxis->setRangeLower(0);
    curves_->replot();
}

// Tick labels for the blocks: a prefix most of them share ("inception_") is left out, so the
// labels fit under a narrow dock.
QStringList shortBlockNames(const std::vector<RandomisationStep>& steps, QString* omitted)
{
    QStringList names;
    for (const auto& step : steps)
        names << QString::fromStdString(step.block);
    QMap<QString, int> prefixes;
    for (const QString& n : names)
        if (const int cut = n.lastIndexOf(QLatin1Char('_')); cut > 0)
            ++prefixes[n.left(cut + 1)];
    QString best;
    for (auto it = prefixes.begin(); it != prefixes.end(); ++it)
        if (it.value() >= 3 && (best.isEmpty() || it.value() > prefixes[best]))
            best = it.key();
    if (omitted)
        *omitted = best;
    if (!best.isEmpty())
        for (QString& n : names)
            if (n.startsWith(best))
                n = n.mid(best.size());
    return names;
}

void AttributionEvidence::showCascades()
{
    cascades_->clearGraphs();
    QString omitted;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    int index = 0;
    for (auto it = sanity_.begin(); it != sanity_.end(); ++it, ++index) {
        auto* g = cascades_->addGraph();
        QVector<double> x{0}, y{1};
        const QStringList names = shortBlockNames(it->cascade, &omitted);
        for (size_t d = 0; d < it->cascade.size(); ++d) {
            x << double(d + 1);
            y << it->cascade[d].similarity.spearman;
            ticker->addTick(double(d + 1), names[int(d)]);
        }
        g->setData(x, y);
        g->setName(labels_.value(it.key(), it.key()) + (it->flagged ? tr(" ⚠") : QString()));
        g->setPen(QPen(methodColour(index), 2));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
    }
    ticker->addTick(0, tr("trained"));
    cascades_->xAxis->setTicker(ticker);
    cascades_->xAxis->setTickLabelRotation(90);
    cascades_->xAxis->setLabel(omitted.isEmpty()
            ? tr("blocks randomised from the top")
            : tr("blocks randomised from the top (%1… shortened)").arg(omitted));
    cascades_->xAxis->rescale();
    cascades_->xAxis->setRange(
        cascades_->xAxis->range().lower - 0.3, cascades_->xAxis->range().upper + 0.3);
    cascades_->yAxis->setRange(-1, 1.05);
    cascades_->replot();
    tabs_->setCurrentWidget(cascades_);
}

void AttributionEvidence::updateWarning()
{
    const QString text = warningText();
    warning_->setText(text);
    warning_->setVisible(!text.isEmpty());
}

QString AttributionEvidence::warningText() const
{
    QStringList lines;
    for (auto it = sanity_.begin(); it != sanity_.end(); ++it)
        if (it->flagged)
            lines << QStringLiteral("⚠ %1: %2")
                         .arg(labels_.value(it.key(), it.key()),
                             QString::fromStdString(it->warning));
    return lines.join(QLatin1Char('\n'));
}

bool AttributionEvidence::isFlagged(const QString& method) const
{
    return sanity_.contains(method) && sanity_[method].flagged;
}

QString AttributionEvidence::captionFor(const QString& method) const
{
    if (!metrics_.contains(method))
        return {};
    const auto& m = metrics_[method];
    return tr("↓%1 ↑%2")
        .arg(double(m.deletion.auc), 0, 'f', 2)
        .arg(double(m.insertion.auc), 0, 'f', 2);
}

QJsonObject AttributionEvidence::toJson(const QString& method) const
{
    QJsonObject j;
    if (metrics_.contains(method)) {
        const auto& m = metrics_[method];
        j[QStringLiteral("quantity")] = QString::fromStdString(m.quantity);
        j[QStringLiteral("fill")] = QString::fromStdString(toString(m.fill));
        j[QStringLiteral("deletion")] = curveJson(m.deletion);
        j[QStringLiteral("insertion")] = curveJson(m.insertion);
        j[QStringLiteral("sparseness_gini")] = double(m.sparseness);
        j[QStringLiteral("complexity")] = double(m.complexity);
        if (m.hasCompleteness)
            j[QStringLiteral("completeness_gap")] = double(m.completenessGap);
    }
    if (heavy_.contains(method)) {
        const auto& h = heavy_[method];
        j[QStringLiteral("mu_fidelity")] = double(h.muFidelity);
        j[QStringLiteral("road_deletion")] = curveJson(h.roadDeletion);
        j[QStringLiteral("road_insertion")] = curveJson(h.roadInsertion);
    }
    if (sanity_.contains(method)) {
        const auto& s = sanity_[method];
        QJsonArray cascade;
        for (const auto& step : s.cascade)
            cascade.append(
                QJsonObject{{QStringLiteral("block"), QString::fromStdString(step.block)},
                    {QStringLiteral("spearman"), double(step.similarity.spearman)},
                    {QStringLiteral("ssim"), double(step.similarity.ssim)},
                    {QStringLiteral("top_overlap"), double(step.similarity.topOverlap)}});
        j[QStringLiteral("randomisation")] = cascade;
        if (s.hasRandomTarget)
            j[QStringLiteral("random_target_spearman")] = double(s.randomTargetSimilarity.spearman);
        j[QStringLiteral("flagged")] = s.flagged;
        if (s.flagged)
            j[QStringLiteral("warning")] = QString::fromStdString(s.warning);
    }
    if (localisation_.contains(method)) {
        j[QStringLiteral("energy_in_box")] = double(localisation_[method].energyInside);
        j[QStringLiteral("pointing_hit")] = localisation_[method].pointingHit;
    }
    return j;
}

}  // namespace loupe::widgets
