#include "widgets/decision_panel.h"

#include "widgets/unit_selection.h"

#include <QCompleter>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>

namespace loupe::widgets {
namespace {

enum Column { Thumbnail, Map, Channel, Contribution, Share, Activation };
constexpr int kRows = 40;  // the strongest for and against; the rest add little

QTableWidgetItem* numberItem(double value, int decimals)
{
    auto* item = new QTableWidgetItem;
    item->setData(
        Qt::DisplayRole, std::round(value * std::pow(10, decimals)) / std::pow(10, decimals));
    return item;
}

}  // namespace

DecisionPanel::DecisionPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), class_(new QLineEdit), versus_(new QLineEdit), summary_(new QLabel),
      table_(new QTableWidget(0, 6))
{
    class_->setPlaceholderText(tr("class (top class)"));
    class_->setToolTip(tr("The class to explain, by name or number; empty: the model's top class"));
    versus_->setPlaceholderText(tr("versus (none)"));
    versus_->setToolTip(tr("Optional second class: explain the difference of the two logits"));
    class_->setMaximumWidth(200);
    versus_->setMaximumWidth(200);
    connect(class_, &QLineEdit::returnPressed, this, &DecisionPanel::run);
    connect(versus_, &QLineEdit::returnPressed, this, &DecisionPanel::run);
    toolBar()->addAction(tr("Explain"), this, &DecisionPanel::run);
    toolBar()->addWidget(class_);
    toolBar()->addWidget(versus_);

    table_->setHorizontalHeaderLabels({tr("feature vis"), tr("where"), tr("channel"),
        tr("contribution"), tr("share"), tr("mean activation")});
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(52);
    table_->setIconSize(QSize(48, 48));
    table_->setSortingEnabled(true);
    connect(table_, &QTableWidget::cellClicked, this, [this](int row, int) {
        const auto* item = table_->item(row, Channel);
        if (item && selection())
            selection()->selectUnit(
                QString::fromStdString(explanation_.layer), item->data(Qt::DisplayRole).toInt());
    });
    summary_->setWordWrap(true);
    summary_->setTextFormat(Qt::RichText);
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(summary_);
    layout->addWidget(table_, 1);
    setBody(body);
    setStatus(tr("Select a layer and open an image, then Explain: which channels made the "
                 "decision (activation × gradient of the logit)."));
}

void DecisionPanel::setClassLabels(const QStringList& labels)
{
    for (QLineEdit* edit : {class_, versus_}) {
        auto* completer = new QCompleter(labels, edit);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        completer->setFilterMode(Qt::MatchContains);
        delete edit->completer();
        edit->setCompleter(completer);
    }
}

void DecisionPanel::setClasses(const QString& klass, const QString& versus)
{
    class_->setText(klass);
    versus_->setText(versus);
}

void DecisionPanel::run()
{
    emit explanationRequested(class_->text().trimmed(), versus_->text().trimmed());
}

void DecisionPanel::showExplanation(
    const DecisionExplanation& e, const QList<QImage>& maps, const ColourScale& mapScale)
{
    mapScale_ = mapScale;
    explanation_ = e;
    maps_ = maps;
    table_->setSortingEnabled(false);
    // The strongest contributions for, then the strongest against.
    std::vector<size_t> shown;
    const size_t n = e.channels.size();
    for (size_t i = 0; i < n && int(shown.size()) < kRows / 2 * 3 / 2; ++i)
        if (e.channels[i].contribution > 0)
            shown.push_back(i);
    for (size_t i = 0; i < n && int(shown.size()) < kRows; ++i)
        if (e.channels[n - 1 - i].contribution < 0)
            shown.push_back(n - 1 - i);
    table_->setRowCount(int(shown.size()));
    for (int r = 0; r < int(shown.size()); ++r) {
        const auto& c = e.channels[shown[size_t(r)]];
        table_->setItem(r, Thumbnail, new QTableWidgetItem);
        auto* map = new QTableWidgetItem;
        if (int(shown[size_t(r)]) < maps.size())
            map->setIcon(QPixmap::fromImage(maps[int(shown[size_t(r)])]));
        table_->setItem(r, Map, map);
        table_->setItem(r, Channel, numberItem(c.channel, 0));
        table_->setItem(r, Contribution, numberItem(c.contribution, 4));
        table_->setItem(r, Share, numberItem(c.share * 100, 1));
        table_->setItem(r, Activation, numberItem(c.activation, 4));
        if (c.contribution < 0)
            table_->item(r, Contribution)->setForeground(QColor(40, 90, 200));
    }
    table_->setSortingEnabled(true);
    table_->sortItems(Contribution, Qt::DescendingOrder);  // for the class first, against it last
    const QString what = e.classB >= 0
        ? tr("logit(%1) − logit(%2)")
              .arg(QString::fromStdString(e.labelA), QString::fromStdString(e.labelB))
        : tr("logit(%1)").arg(QString::fromStdString(e.labelA));
    summary_->setText(
        tr("<b>%1</b> = %2 at <b>%3</b>: channel contributions sum to %4, the bias path (layer set "
           "to zero) gives %5. %6")
            .arg(what)
            .arg(e.logit, 0, 'f', 3)
            .arg(QString::fromStdString(e.layer))
            .arg(e.explained, 0, 'f', 3)
            .arg(e.biasPath, 0, 'f', 3)
            .arg(e.linearPath ? tr("The path to the logit is linear: the contributions are exact "
                                   "(activation × weight).")
                              : tr("The path is not linear: contributions are first-order (they "
                                   "need not add up).")));
    setStatus(tr("Share: of the sum of |contributions|. Blue: against the class. Maps: where each "
                 "channel contributed (red for, blue against)."));
}

void DecisionPanel::setThumbnail(int channel, const QImage& image)
{
    for (int r = 0; r < table_->rowCount(); ++r)
        if (table_->item(r, Channel) &&
            table_->item(r, Channel)->data(Qt::DisplayRole).toInt() == channel)
            table_->item(r, Thumbnail)->setIcon(QPixmap::fromImage(image));
}

void DecisionPanel::clearResult(const QString& message)
{
    setStatus(message);
}

int DecisionPanel::rows() const
{
    return table_->rowCount();
}

QString DecisionPanel::exportName() const
{
    return QStringLiteral("decision");
}

QSize DecisionPanel::exportSize() const
{
    return QSize(900, 250);  // title, eight maps with captions, their colour key
}

void DecisionPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    QFont bold = painter.font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(Qt::black);
    QString title = tr("No explanation yet: choose a class and a layer, then Explain");
    if (!explanation_.channels.empty())
        title = explanation_.classB >= 0 ? tr("Why %1 and not %2: channels of %3")
                                               .arg(QString::fromStdString(explanation_.labelA),
                                                   QString::fromStdString(explanation_.labelB),
                                                   QString::fromStdString(explanation_.layer))
                                         : tr("Why %1: channels of %2")
                                               .arg(QString::fromStdString(explanation_.labelA),
                                                   QString::fromStdString(explanation_.layer));
    painter.drawText(QRect(8, 4, size.width() - 16, 24), Qt::AlignLeft | Qt::AlignVCenter, title);
    painter.setFont(QFont());
    // The eight strongest channels for: map, channel, share.
    const int cell = std::min(size.width() / 8, size.height() - 80);
    for (int i = 0; i < 8 && i < int(explanation_.channels.size()) && i < maps_.size(); ++i) {
        const QRect r(i * (size.width() / 8) + 4, 34, cell - 8, cell - 8);
        painter.drawImage(r, maps_[i]);
        painter.drawText(QRect(r.left(), r.bottom() + 4, r.width(), 36),
            Qt::AlignHCenter | Qt::TextWordWrap,
            tr("ch %1: %2 %")
                .arg(explanation_.channels[size_t(i)].channel)
                .arg(explanation_.channels[size_t(i)].share * 100, 0, 'f', 1));
    }
    if (!maps_.isEmpty())
        paintColourScale(
            painter, QRect(8, 34 + cell + 40, std::min(480, size.width() - 16), 40), mapScale_);
}

QJsonObject DecisionPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("layer")] = QString::fromStdString(explanation_.layer);
    p[QStringLiteral("class")] = QString::fromStdString(explanation_.labelA);
    p[QStringLiteral("class_index")] = explanation_.classA;
    if (explanation_.classB >= 0) {
        p[QStringLiteral("versus")] = QString::fromStdString(explanation_.labelB);
        p[QStringLiteral("versus_index")] = explanation_.classB;
    }
    p[QStringLiteral("logit")] = explanation_.logit;
    p[QStringLiteral("bias_path")] = explanation_.biasPath;
    p[QStringLiteral("explained")] = explanation_.explained;
    p[QStringLiteral("linear_path")] = explanation_.linearPath;
    return p;
}

QString DecisionPanel::exportData() const
{
    QString csv = QStringLiteral("channel,contribution,share,mean_activation\n");
    for (const auto& c : explanation_.channels)
        csv += QStringLiteral("%1,%2,%3,%4\n")
                   .arg(c.channel)
                   .arg(c.contribution)
                   .arg(c.share)
                   .arg(c.activation);
    return csv;
}

}  // namespace loupe::widgets
