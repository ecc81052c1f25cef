#include "app/task_presets.h"

#include <QCoreApplication>
#include <QDockWidget>

#include <algorithm>

namespace loupe::app {

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("TaskPresets", text);
}

QString shortName(const QDockWidget* dock)
{
    return dock->objectName().mid(QStringLiteral("dock.").size());
}
}  // namespace

const QList<TaskPreset>& taskPresets()
{
    static const QList<TaskPreset> presets = {
        {QStringLiteral("unit"), tr("Explore a Unit"),
            {QStringLiteral("unitpage"), QStringLiteral("neuron"), QStringLiteral("examples"),
                QStringLiteral("distribution"), QStringLiteral("tuning"), QStringLiteral("circuit"),
                QStringLiteral("activations"), QStringLiteral("weights")}},
        {QStringLiteral("image"), tr("Explain an Image"),
            {QStringLiteral("attribution"), QStringLiteral("occlusion"), QStringLiteral("decision"),
                QStringLiteral("dictionary"), QStringLiteral("activations"),
                QStringLiteral("circuit"), QStringLiteral("unitpage")}},
        {QStringLiteral("dataset"), tr("Dataset"),
            {QStringLiteral("atlas"), QStringLiteral("examples"), QStringLiteral("distribution"),
                QStringLiteral("dissection"), QStringLiteral("concepts"), QStringLiteral("nmf"),
                QStringLiteral("activations"), QStringLiteral("dictionary")}},
        {QStringLiteral("experiments"), tr("Experiments"),
            {QStringLiteral("inversion"), QStringLiteral("dream"), QStringLiteral("style"),
                QStringLiteral("adversarial"), QStringLiteral("curves"), QStringLiteral("edits"),
                QStringLiteral("tuning"), QStringLiteral("texture-shape"),
                QStringLiteral("timeline")}},
    };
    return presets;
}

bool applyTaskPreset(const QString& name, const QList<QDockWidget*>& moduleDocks)
{
    const auto& presets = taskPresets();
    const auto preset = std::find_if(
        presets.begin(), presets.end(), [&](const TaskPreset& p) { return p.name == name; });
    if (preset == presets.end())
        return false;
    for (QDockWidget* dock : moduleDocks)
        dock->setVisible(preset->docks.contains(shortName(dock)));
    // Raise in reverse, so the first named of each tab group ends up in front.
    for (auto it = preset->docks.crbegin(); it != preset->docks.crend(); ++it)
        for (QDockWidget* dock : moduleDocks)
            if (shortName(dock) == *it)
                dock->raise();
    return true;
}

}  // namespace loupe::app
