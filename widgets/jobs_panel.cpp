#include "widgets/jobs_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace loupe::widgets {
namespace {
constexpr int kMaxFinishedRows = 50;
enum Column { NameColumn, ProgressColumn, TextColumn, CancelColumn };
}  // namespace

JobsPanel::JobsPanel(QWidget* parent) : QWidget(parent), list_(new QTreeWidget(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(list_);
    list_->setColumnCount(4);
    list_->setHeaderLabels({tr("Job"), tr("Progress"), tr("Status"), QString()});
    list_->setRootIsDecorated(false);
    list_->header()->setSectionResizeMode(NameColumn, QHeaderView::ResizeToContents);
    list_->header()->setSectionResizeMode(TextColumn, QHeaderView::Stretch);
    list_->header()->setStretchLastSection(false);
    // Run Next + Cancel side by side: the column as wide as the two buttons.
    list_->header()->setSectionResizeMode(CancelColumn, QHeaderView::ResizeToContents);
}

void JobsPanel::addJob(int id, const QString& name)
{
    Row row;
    row.item = new QTreeWidgetItem({name, QString(), tr("queued"), QString()});
    list_->insertTopLevelItem(0, row.item);
    row.bar = new QProgressBar;
    row.bar->setRange(0, 1000);
    row.bar->setMaximumHeight(16);
    auto* buttons = new QWidget;
    auto* buttonRow = new QHBoxLayout(buttons);
    buttonRow->setContentsMargins(0, 0, 0, 0);
    buttonRow->setSpacing(2);
    row.runNext = new QPushButton(tr("Run Next"));
    row.runNext->setObjectName(QStringLiteral("runNext"));
    row.runNext->setToolTip(tr("Start this job before the other waiting ones; a running "
                               "feature visualization pauses at its next step to let it through"));
    row.cancel = new QPushButton(tr("Cancel"));
    row.cancel->setObjectName(QStringLiteral("cancel"));
    for (QPushButton* button : {row.runNext, row.cancel}) {
        button->setMaximumHeight(20);
        buttonRow->addWidget(button);
    }
    list_->setItemWidget(row.item, ProgressColumn, row.bar);
    list_->setItemWidget(row.item, CancelColumn, buttons);
    connect(row.cancel, &QPushButton::clicked, this, [this, id] { emit cancelRequested(id); });
    connect(row.runNext, &QPushButton::clicked, this, [this, id] { emit runNextRequested(id); });
    rows_.insert(id, row);

    // Keep the list short: drop the oldest finished rows.
    while (list_->topLevelItemCount() > kMaxFinishedRows) {
        QTreeWidgetItem* last = list_->topLevelItem(list_->topLevelItemCount() - 1);
        for (auto it = rows_.begin(); it != rows_.end(); ++it) {
            if (it->item == last && !it->running) {
                rows_.erase(it);
                delete last;
                last = nullptr;
                break;
            }
        }
        if (last)
            break;  // only running jobs left at the bottom
    }
}

void JobsPanel::updateJob(int id, double fraction, const QString& text)
{
    auto it = rows_.find(id);
    if (it == rows_.end())
        return;
    it->bar->setValue(int(qBound(0.0, fraction, 1.0) * 1000));
    if (!text.isEmpty())
        it->item->setText(TextColumn, text);
}

void JobsPanel::setJobState(int id, JobState state)
{
    auto it = rows_.find(id);
    if (it == rows_.end() || !it->running)
        return;
    const JobState before = it->state;
    it->state = state;
    it->runNext->setVisible(state == JobState::Queued);
    if (state == JobState::Paused) {
        it->item->setText(TextColumn, tr("paused: newer work runs first"));
    } else if (state == JobState::Running &&
        (before == JobState::Queued || before == JobState::Paused)) {
        it->item->setText(TextColumn, tr("running"));
    }
}

JobState JobsPanel::jobState(int id) const
{
    const auto it = rows_.find(id);
    return it == rows_.end() ? JobState::Queued : it->state;
}

void JobsPanel::finishJob(int id, const QString& outcome, JobState state)
{
    auto it = rows_.find(id);
    if (it == rows_.end())
        return;
    it->running = false;
    it->state = state;
    const bool failed = state == JobState::Failed;
    if (state == JobState::Done)
        it->bar->setValue(1000);
    if (state == JobState::Cancelled)
        it->item->setForeground(TextColumn, palette().color(QPalette::Disabled, QPalette::Text));
    it->item->setText(TextColumn, outcome);
    it->item->setToolTip(TextColumn, outcome);
    if (failed)
        it->item->setForeground(TextColumn, QColor(200, 40, 40));
    it->cancel->setEnabled(false);
    it->runNext->hide();
}

int JobsPanel::runningCount() const
{
    int n = 0;
    for (const auto& row : rows_)
        n += row.running;
    return n;
}

QString JobsPanel::jobText(int id) const
{
    const auto it = rows_.find(id);
    return it == rows_.end() ? QString() : it->item->text(TextColumn);
}

}  // namespace loupe::widgets
