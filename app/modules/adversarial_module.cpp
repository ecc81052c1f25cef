#include "app/modules/adversarial_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/classify.h"
#include "core/image_experiment_store.h"
#include "core/model.h"
#include "widgets/adversarial_panel.h"

#include <QFileInfo>

namespace loupe::app {
namespace {

struct Transfer {
    QString model;
    std::vector<Prediction> before;
    std::vector<Prediction> after;
};

}  // namespace

AdversarialModule::AdversarialModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::AdversarialPanel(context.panels))
{
    connect(panel_, &widgets::AdversarialPanel::attackRequested, this,
        &AdversarialModule::requestAttack);
    connect(panel_, &widgets::AdversarialPanel::epsilonSearchRequested, this,
        &AdversarialModule::requestEpsilonSearch);
    connect(panel_, &widgets::AdversarialPanel::foolingRequested, this,
        &AdversarialModule::requestFooling);
    connect(panel_, &widgets::AdversarialPanel::transferRequested, this,
        &AdversarialModule::requestTransfer);
    connect(this, &AdversarialModule::attackReady, panel_, &widgets::AdversarialPanel::showAttack);
    connect(
        this, &AdversarialModule::attackFailed, panel_, &widgets::AdversarialPanel::clearResult);
}

QList<ModuleDock> AdversarialModule::docks() const
{
    return {{panel_, tr("Adversarial"), QStringLiteral("adversarial"), DockGroup::Image,
        tr("Adversarial Example…")}};
}

bool AdversarialModule::ready()
{
    ModelSession* session = context().session;
    if (!session->hasModel() || !session->hasImage()) {
        emit attackFailed(tr("Open an image first: the attack perturbs it."));
        return false;
    }
    return true;
}

void AdversarialModule::requestAttack(const AttackConfig& config)
{
    if (!ready())
        return;
    ModelSession* session = context().session;
    auto model = session->model();
    auto workspace = session->workspace();
    const RgbImage image = session->image();
    panel_->start(tr("Attacking (%1, ε %2 px)…")
                      .arg(QString::fromLatin1(attackMethodName(config.method)))
                      .arg(double(config.epsilon)));
    context().jobs->submit(
        {tr("Adversarial example"), JobRunner::Pool::Device, QStringLiteral("adversarial")}, this,
        [model, workspace, image, config](JobContext& job) {
            return cachedAttack(*model, workspace.get(), image, config, job.progress);
        },
        [this](const Attack& attack) { emit attackReady(attack); },
        [this](const QString& message) { emit attackFailed(message); },
        [this] { emit attackFailed(tr("cancelled")); });
}

void AdversarialModule::requestEpsilonSearch(const AttackConfig& config, float maxEpsilon)
{
    if (!ready())
        return;
    auto model = context().session->model();
    const RgbImage image = context().session->image();
    panel_->start(tr("Searching the smallest ε up to %1 px…").arg(double(maxEpsilon)));
    context().jobs->submit(
        {tr("Smallest flipping ε"), JobRunner::Pool::Device, QStringLiteral("adversarial")}, this,
        [model, image, config, maxEpsilon](JobContext& job) {
            return smallestFlippingEpsilon(*model, image, config, maxEpsilon, job.progress);
        },
        [this](const EpsilonSearch& search) { panel_->showEpsilonSearch(search); },
        [this](const QString& message) { emit attackFailed(message); },
        [this] { emit attackFailed(tr("cancelled")); });
}

void AdversarialModule::requestFooling(int targetClass, int maxSteps)
{
    ModelSession* session = context().session;
    if (!session->hasModel()) {
        emit attackFailed(tr("Open a model first."));
        return;
    }
    auto model = session->model();
    panel_->start(tr("Optimising a fooling image for class %1…").arg(targetClass));
    context().jobs->submit(
        {tr("Fooling image"), JobRunner::Pool::Device, QStringLiteral("adversarial")}, this,
        [model, targetClass, maxSteps](JobContext& job) {
            return makeFoolingImage(*model, targetClass, 0.99f, maxSteps, 0, job.progress);
        },
        [this, model](const FoolingImage& fooled) {
            panel_->showFooling(
                fooled, QString::fromStdString(model->classLabel(fooled.targetClass)));
        },
        [this](const QString& message) { emit attackFailed(message); },
        [this] { emit attackFailed(tr("cancelled")); });
}

void AdversarialModule::requestTransfer(const QString& modelPath)
{
    if (!panel_->hasResult())
        return;
    const Attack attack = panel_->lastAttack();
    // The same kind of device as the open model.
    const DevicePreference device =
        context().session->model() && context().session->model()->device().cuda
        ? DevicePreference::Cuda
        : DevicePreference::Cpu;
    const std::string path = modelPath.toStdString();
    panel_->start(
        tr("Evaluating the adversarial image on %1…").arg(QFileInfo(modelPath).fileName()));
    context().jobs->submit(
        {tr("Transfer to %1").arg(QFileInfo(modelPath).fileName()), JobRunner::Pool::Device,
            QStringLiteral("adversarial-transfer")},
        this,
        [attack, path, device](JobContext& job) {
            // A model of its own, never the open one; the 8-bit images go through its own
            // preprocessing.
            const auto second = Model::load(path, device);
            Transfer t;
            t.model = QString::fromStdString(second->displayName());
            t.before = classifyImages(*second, {attack.original}, 5, job.progress)[0];
            t.after = classifyImages(*second, {attack.adversarial}, 5, job.progress)[0];
            return t;
        },
        [this](const Transfer& t) { panel_->showTransfer(t.model, t.before, t.after); },
        [this](const QString& message) { emit attackFailed(message); },
        [this] { emit attackFailed(tr("cancelled")); });
}

}  // namespace loupe::app
