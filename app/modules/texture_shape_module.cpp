#include "app/modules/texture_shape_module.h"

#include "app/job_runner.h"
#include "app/model_session.h"
#include "core/degradations.h"
#include "core/error.h"
#include "core/image_labels.h"
#include "core/model.h"
#include "core/shape_bias.h"
#include "widgets/qt_image.h"
#include "widgets/texture_shape_panel.h"

namespace loupe::app {
namespace {

struct ShapeBiasRun {
    ShapeBias bias;
    QList<QImage> images;
};

QStringList labelsOf(const Model& model)
{
    QStringList out;
    for (int k = 0; k < model.numClasses(); ++k)
        out << QString::fromStdString(model.classLabel(k));
    return out;
}

}  // namespace

TextureShapeModule::TextureShapeModule(const AppContext& context, QObject* parent)
    : FeatureModule(context, parent), panel_(new widgets::TextureShapePanel(context.panels))
{
    connect(panel_, &widgets::TextureShapePanel::shapeBiasRequested, this,
        &TextureShapeModule::requestShapeBias);
    connect(panel_, &widgets::TextureShapePanel::degradationsRequested, this,
        &TextureShapeModule::requestDegradations);
    connect(this, &TextureShapeModule::failed, panel_, &widgets::TextureShapePanel::clearResult);
}

QList<ModuleDock> TextureShapeModule::docks() const
{
    return {{panel_, tr("Texture vs Shape"), QStringLiteral("texture-shape"), DockGroup::Unit,
        tr("Texture vs Shape…")}};
}

void TextureShapeModule::requestShapeBias(const QString& folder, int pairs, int steps)
{
    auto model = context().session->model();
    if (!model) {
        emit failed(tr("Open a model first."));
        return;
    }
    auto workspace = context().session->workspace();
    panel_->startShapeBias(pairs);
    const std::string dir = folder.toStdString();
    context().jobs->submit(
        {tr("Shape bias over %1 pairs").arg(pairs), JobRunner::Pool::Device,
            QStringLiteral("shape-bias")},
        this,
        [this, model, workspace, dir, pairs, steps](JobContext& job) {
            const ImageLabeler labeler(model->metadata().labels);
            const LabelledPhotos loaded =
                loadLabelledPhotos(dir, labeler, model->metadata().input.size, 2 * pairs);
            const auto chosen = cueConflictPairs(loaded.photos, pairs);
            if (chosen.empty())
                throw Error("no two labelled photos of different classes in the folder (" +
                    std::to_string(loaded.skipped.size()) + " files had no class)");
            StyleConfig style;
            style.steps = steps;
            const auto conflicts = makeCueConflicts(*model, workspace.get(), loaded.photos, chosen,
                style, job.progress, [this, &job](int pair, const RgbImage& image, int step) {
                    job.post([this, pair, image, step] {
                        panel_->showCueConflict(pair, widgets::toQImage(image), step);
                    });
                });
            ShapeBiasRun run;
            run.bias = measureShapeBias(*model, conflicts, job.progress);
            for (const auto& c : conflicts)
                run.images << widgets::toQImage(c.image);
            return run;
        },
        [this, model](const ShapeBiasRun& run) {
            panel_->showShapeBias(run.bias, run.images, labelsOf(*model));
        },
        [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

void TextureShapeModule::requestDegradations(
    const QString& folder, const QString& masksFolder, int maxImages)
{
    auto model = context().session->model();
    if (!model) {
        emit failed(tr("Open a model first."));
        return;
    }
    panel_->clearResult(tr("Classifying degraded photos…"));
    DegradationConfig config;
    config.masksFolder = masksFolder.toStdString();
    config.maxImages = maxImages;
    const std::string dir = folder.toStdString();
    context().jobs->submit(
        {tr("Degradation table"), JobRunner::Pool::Device, QStringLiteral("degradations")}, this,
        [model, dir, config](JobContext& job) {
            return measureDegradations(
                *model, dir, ImageLabeler(model->metadata().labels), config, job.progress);
        },
        [this](const DegradationTable& table) { panel_->showDegradations(table); },
        [this](const QString& message) { emit failed(message); },
        [this] { emit failed(tr("cancelled")); });
}

}  // namespace loupe::app
