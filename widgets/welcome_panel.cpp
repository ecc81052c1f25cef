#include "widgets/welcome_panel.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace loupe::widgets {

WelcomePanel::WelcomePanel(QWidget* parent)
    : QWidget(parent), message_(new QLabel), training_(new QProgressBar), trainingText_(new QLabel),
      recent_(new QListWidget)
{
    auto* title = new QLabel(tr("<h1>Loupe</h1><p style='font-size:large'>A microscope for the "
                                "neurons of convolutional networks.</p>"));
    auto* open = new QPushButton(tr("Open Model…"));
    open->setObjectName(QStringLiteral("openModel"));
    auto* builtin = new QPushButton(tr("Open the Built-in Model"));
    builtin->setObjectName(QStringLiteral("builtinModel"));
    builtin->setToolTip(tr("A small CNN trained on synthetic shapes (curves, spirals, "
                           "stripes…): an installed Loupe carries it trained; a build from "
                           "source trains it here once, in a few minutes"));
    auto* guide = new QPushButton(tr("Read the Guide"));
    connect(open, &QPushButton::clicked, this, &WelcomePanel::openModelRequested);
    connect(builtin, &QPushButton::clicked, this, &WelcomePanel::builtinModelRequested);
    connect(guide, &QPushButton::clicked, this, &WelcomePanel::guideRequested);
    connect(recent_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        emit recentModelRequested(item->data(Qt::UserRole).toString());
    });
    training_->setRange(0, 1000);
    training_->setMaximumWidth(420);
    trainingText_->setWordWrap(true);
    message_->setWordWrap(true);
    recent_->setMaximumWidth(560);
    recent_->setMaximumHeight(160);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(open);
    buttons->addWidget(builtin);
    buttons->addWidget(guide);
    buttons->addStretch();
    auto* steps = new QLabel(
        tr("<p><b>How it goes</b></p><ol>"
           "<li>Open a TorchScript CNN (File &gt; Open Model…, or drop a .pt file here).</li>"
           "<li>Pick a layer in the Layer Browser, open an image (File &gt; Open Image…).</li>"
           "<li>Click a channel: its Unit Page shows what it responds to. Type "
           "<tt>layer:channel</tt> in the layer search, or Edit &gt; Go to Unit…</li>"
           "<li>View &gt; Task Presets arranges the docks for a unit, an image, a dataset or "
           "an experiment.</li></ol>"));
    steps->setWordWrap(true);

    auto* column = new QVBoxLayout;
    column->addWidget(title);
    column->addLayout(buttons);
    column->addWidget(message_);
    column->addWidget(trainingText_);
    column->addWidget(training_);
    column->addSpacing(12);
    column->addWidget(new QLabel(tr("<b>Recent models</b> (double-click to open)")));
    column->addWidget(recent_);
    column->addWidget(steps);
    column->addStretch();
    auto* outer = new QHBoxLayout(this);
    outer->addStretch(1);
    outer->addLayout(column, 3);
    outer->addStretch(1);
    setTrainingProgress(-1, {});
    setRecentModels({});
}

void WelcomePanel::setRecentModels(const QStringList& paths)
{
    recent_->clear();
    for (const QString& path : paths) {
        auto* item = new QListWidgetItem(
            QStringLiteral("%1  —  %2").arg(QFileInfo(path).fileName(), path), recent_);
        item->setData(Qt::UserRole, path);
        if (!QFileInfo::exists(path))
            item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
    }
    if (paths.isEmpty())
        new QListWidgetItem(tr("none yet"), recent_);
}

void WelcomePanel::setTrainingProgress(double fraction, const QString& text)
{
    const bool shown = fraction >= 0;
    training_->setVisible(shown);
    trainingText_->setVisible(shown);
    if (!shown)
        return;
    training_->setValue(int(qBound(0.0, fraction, 1.0) * 1000));
    trainingText_->setText(tr("Training the built-in model (it opens when done): %1").arg(text));
}

void WelcomePanel::setMessage(const QString& text)
{
    message_->setText(text);
}

int WelcomePanel::recentCount() const
{
    int n = 0;
    for (int i = 0; i < recent_->count(); ++i)
        n += !recent_->item(i)->data(Qt::UserRole).toString().isEmpty();
    return n;
}

bool WelcomePanel::trainingShown() const
{
    return !training_->isHidden();
}

}  // namespace loupe::widgets
