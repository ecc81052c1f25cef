#include "widgets/adversarial_panel.h"

#include "widgets/image_row.h"
#include "widgets/plot_export.h"
#include "widgets/qt_image.h"
#include "widgets/spin_box.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QHBoxLayout>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace loupe::widgets {
namespace {

constexpr int kColumns = 4;  // before, after, transfer before, transfer after

QString predictionText(const Prediction& p)
{
    const QString label =
        p.label.empty() ? QString::number(p.index) : QString::fromStdString(p.label);
    return QStringLiteral("%1 (%2%)").arg(label).arg(double(p.probability) * 100, 0, 'f', 1);
}

}  // namespace

AdversarialPanel::AdversarialPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), method_(new QComboBox),
      randomStart_(new QCheckBox(tr("random start"))),
      row_(new ImageRow(tr("Open an image and Attack: FGSM or PGD under an L∞ budget in pixel "
                           "units (0–255)"))),
      predictions_(new QTableWidget(5, 2)), plot_(new QCustomPlot)
{
    method_->addItem(QStringLiteral("PGD"), int(AttackConfig::Method::Pgd));
    method_->addItem(QStringLiteral("FGSM"), int(AttackConfig::Method::Fgsm));
    epsilon_ = spinBox(1, 255, 4, QStringLiteral("ε "), tr(" px"), tr("L∞ budget, pixel units"));
    step_ = spinBox(1, 64, 1, tr("step "), tr(" px"), tr("PGD step size, pixel units"));
    steps_ = spinBox(1, 1000, 10, {}, tr(" steps"), tr("PGD iterations"));
    randomStart_->setChecked(true);
    target_ = spinBox(-1, 100000, -1, tr("target "), {},
        tr("Class to reach (targeted attack; also the fooling image's class); -1: untargeted"));
    target_->setSpecialValueText(tr("untargeted"));
    // The verb and its budget first: a narrow dock hides the tool bar's tail behind its »
    // menu; the other actions are buttons below.
    toolBar()->addAction(tr("Attack"), this, &AdversarialPanel::run);
    toolBar()->addWidget(method_);
    toolBar()->addWidget(epsilon_);
    toolBar()->addWidget(step_);
    toolBar()->addWidget(steps_);
    toolBar()->addWidget(target_);
    toolBar()->addWidget(randomStart_);
    auto* buttons = new QHBoxLayout;
    const auto button = [&](const QString& text, void (AdversarialPanel::*slot)()) {
        auto* b = new QPushButton(text);
        connect(b, &QPushButton::clicked, this, slot);
        buttons->addWidget(b);
    };
    button(tr("Smallest ε"), &AdversarialPanel::searchEpsilon);
    button(tr("Fooling Image"), &AdversarialPanel::makeFooling);
    button(tr("Transfer to Model…"), &AdversarialPanel::chooseTransferModel);
    buttons->addStretch();

    predictions_->setHorizontalHeaderLabels({tr("before"), tr("after")});  // + transfer's two
    predictions_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    predictions_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    predictions_->setMinimumHeight(120);
    plot_->setMinimumHeight(100);
    plot_->xAxis->setLabel(tr("PGD step"));
    plot_->yAxis->setLabel(tr("attack loss"));
    plot_->addGraph();
    plot_->graph(0)->setPen(QPen(QColor(160, 40, 160), 1.5));
    // Predictions beside the loss curve, half and half.
    auto* lower = new QSplitter(Qt::Horizontal);
    lower->addWidget(predictions_);
    lower->addWidget(plot_);
    lower->setSizes({300, 300});
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buttons);
    layout->addWidget(row_, 3);
    layout->addWidget(lower, 2);
    setBody(body);
    setStatus(tr("Adversarial examples (FGSM, PGD), the smallest ε that flips the top-1, and "
                 "fooling images."));
}

AttackConfig AdversarialPanel::config() const
{
    AttackConfig c;
    c.method = AttackConfig::Method(method_->currentData().toInt());
    c.epsilon = float(epsilon_->value());
    c.stepSize = float(step_->value());
    c.steps = steps_->value();
    c.randomStart = randomStart_->isChecked();
    c.targetClass = target_->value();
    return c;
}

void AdversarialPanel::setEpsilon(int epsilon)
{
    epsilon_->setValue(epsilon);
}

void AdversarialPanel::setMethod(AttackConfig::Method method)
{
    method_->setCurrentIndex(method_->findData(int(method)));
}

void AdversarialPanel::setTarget(int targetClass)
{
    target_->setValue(targetClass);
}

void AdversarialPanel::setSteps(int steps)
{
    steps_->setValue(steps);
}

void AdversarialPanel::run()
{
    emit attackRequested(config());
}

void AdversarialPanel::searchEpsilon()
{
    // Bisection up to the budget in the tool bar, at least 16 px.
    emit epsilonSearchRequested(config(), float(std::max(16, epsilon_->value())));
}

void AdversarialPanel::makeFooling()
{
    if (target_->value() < 0) {
        setStatus(tr("Set the target class first: the fooling image is made for it."));
        return;
    }
    emit foolingRequested(target_->value(), std::max(100, steps_->value() * 30));
}

void AdversarialPanel::chooseTransferModel()
{
    if (!hasResult()) {
        setStatus(tr("Attack first: transfer evaluates the adversarial image on another model."));
        return;
    }
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Second Model"), transferModel_, tr("TorchScript models (*.pt *.pth)"));
    if (!path.isEmpty()) {
        transferModel_ = path;
        emit transferRequested(path);
    }
}

void AdversarialPanel::start(const QString& what)
{
    setStatus(what);
}

void AdversarialPanel::showPredictions(int column, const std::vector<Prediction>& predictions)
{
    for (int r = 0; r < predictions_->rowCount(); ++r)
        predictions_->setItem(r, column,
            new QTableWidgetItem(
                r < int(predictions.size()) ? predictionText(predictions[size_t(r)]) : QString()));
}

void AdversarialPanel::showAttack(const Attack& attack)
{
    last_ = attack;
    minEpsilon_ = 0.f;
    const QString before = QString::fromStdString(attack.before.front().label);
    const QString after = QString::fromStdString(attack.after.front().label);
    row_->setImages(
        {toQImage(attack.original), toQImage(attack.adversarial), toQImage(attack.perturbation)},
        {tr("photo\n%1").arg(predictionText(attack.before.front())),
            tr("adversarial (L∞ %1 px)\n%2")
                .arg(double(attack.linfPixels))
                .arg(predictionText(attack.after.front())),
            tr("perturbation, amplified")});
    predictions_->setColumnCount(2);  // a new image: no transfer yet
    showPredictions(0, attack.before);
    showPredictions(1, attack.after);
    plot_->graph(0)->data()->clear();
    for (size_t s = 0; s < attack.lossHistory.size(); ++s)
        plot_->graph(0)->addData(double(s + 1), double(attack.lossHistory[s]));
    plot_->rescaleAxes();
    plot_->replot();
    setStatus(attack.succeeded
            ? tr("The attack worked: %1 → %2.").arg(before, after)
            : tr("The attack did not change the top-1 (%1): raise ε or the steps.").arg(before));
}

void AdversarialPanel::showEpsilonSearch(const EpsilonSearch& search)
{
    showAttack(search.attack);
    minEpsilon_ = search.epsilon;
    QStringList tried;
    for (const auto& [epsilon, succeeded] : search.tried)
        tried << QStringLiteral("%1%2")
                     .arg(double(epsilon))
                     .arg(succeeded ? QStringLiteral("✓") : QStringLiteral("✗"));
    setStatus(search.epsilon > 0
            ? tr("Smallest ε that flips the top-1: %1 px (tried %2).")
                  .arg(double(search.epsilon))
                  .arg(tried.join(QStringLiteral(", ")))
            : tr("No ε up to %1 px flipped the top-1.")
                  .arg(search.tried.empty() ? 0.0 : double(search.tried.front().first)));
}

void AdversarialPanel::showFooling(const FoolingImage& fooled, const QString& label)
{
    row_->setImages({toQImage(fooled.image)},
        {tr("fooling image: %1\n%2% after %3 steps")
                .arg(label)
                .arg(double(fooled.probability) * 100, 0, 'f', 1)
                .arg(fooled.steps)});
    plot_->graph(0)->data()->clear();
    for (size_t s = 0; s < fooled.probabilityHistory.size(); ++s)
        plot_->graph(0)->addData(double(s + 1), double(fooled.probabilityHistory[s]));
    plot_->rescaleAxes();
    plot_->replot();
    setStatus(tr("Optimised from noise until the model is sure it sees %1 (%2%).")
                  .arg(label)
                  .arg(double(fooled.probability) * 100, 0, 'f', 1));
}

void AdversarialPanel::showTransfer(const QString& model, const std::vector<Prediction>& before,
    const std::vector<Prediction>& after)
{
    predictions_->setColumnCount(kColumns);
    predictions_->setHorizontalHeaderItem(2, new QTableWidgetItem(tr("%1: before").arg(model)));
    predictions_->setHorizontalHeaderItem(3, new QTableWidgetItem(tr("%1: after").arg(model)));
    showPredictions(2, before);
    showPredictions(3, after);
    const bool transferred = !before.empty() && !after.empty() && before[0].index != after[0].index;
    setStatus(transferred
            ? tr("The adversarial image transfers: %1 changes its top-1 too.").arg(model)
            : tr("The adversarial image does not transfer to %1.").arg(model));
}

void AdversarialPanel::clearResult(const QString& message)
{
    setStatus(message);
}

QString AdversarialPanel::exportName() const
{
    return QStringLiteral("adversarial");
}

QSize AdversarialPanel::exportSize() const
{
    return QSize(720, 300);
}

void AdversarialPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    row_->paintAll(painter, QRect(0, 0, size.width(), size.height()));
}

QJsonObject AdversarialPanel::exportParameters() const
{
    QJsonObject p;
    const AttackConfig c = config();
    p[QStringLiteral("method")] = QString::fromLatin1(attackMethodName(c.method));
    p[QStringLiteral("epsilon_px")] = double(c.epsilon);
    p[QStringLiteral("step_px")] = double(c.stepSize);
    p[QStringLiteral("steps")] = c.steps;
    p[QStringLiteral("random_start")] = c.randomStart;
    p[QStringLiteral("target_class")] = c.targetClass;
    p[QStringLiteral("linf_px")] = double(last_.linfPixels);
    p[QStringLiteral("succeeded")] = last_.succeeded;
    if (minEpsilon_ != 0.f)
        p[QStringLiteral("smallest_flipping_epsilon_px")] = double(minEpsilon_);
    const auto list = [](const std::vector<Prediction>& predictions) {
        QJsonArray a;
        for (const auto& pr : predictions) {
            QJsonObject o;
            o[QStringLiteral("class")] = pr.index;
            o[QStringLiteral("label")] = QString::fromStdString(pr.label);
            o[QStringLiteral("probability")] = double(pr.probability);
            a.append(o);
        }
        return a;
    };
    p[QStringLiteral("before")] = list(last_.before);
    p[QStringLiteral("after")] = list(last_.after);
    return p;
}

QString AdversarialPanel::exportData() const
{
    if (last_.lossHistory.empty())
        return {};
    QString csv = QStringLiteral("step,loss\n");
    for (size_t s = 0; s < last_.lossHistory.size(); ++s)
        csv += QStringLiteral("%1,%2\n").arg(s + 1).arg(double(last_.lossHistory[s]), 0, 'g', 6);
    return csv;
}

}  // namespace loupe::widgets
