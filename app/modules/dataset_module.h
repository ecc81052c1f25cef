#pragma once

#include "app/feature_module.h"
#include "core/unit_examples.h"

#include <QStringList>

namespace loupe::widgets {
class ExamplesPanel;
class DistributionPanel;
}  // namespace loupe::widgets

namespace loupe::app {

// A scanned image folder and what it says about each unit: Dataset > Scan Folder (resumable,
// cancel keeps what is done), the selected unit's top/bottom examples and activation bands,
// and its distribution. One request feeds both docks.
class DatasetModule : public FeatureModule {
    Q_OBJECT
public:
    DatasetModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    void addMenuEntries(QMenu* exportMenu, QMenu* datasetMenu) override;
    widgets::ExamplesPanel* examplesPanel() const { return examples_; }
    widgets::DistributionPanel* distributionPanel() const { return distribution_; }

    void scanFolder(const QString& folder, const QStringList& layers);
    // The dialog, with `folder` filled in (scripted runs take its defaults).
    void chooseScan(const QString& folder = {});
    // Writes the built-in dataset as a folder (once), then offers it to scan.
    void scanSampleImages();

signals:
    void examplesReady(const loupe::UnitExamples& examples);
    void scanFinished(const QString& summary);

private:
    void refreshExamples();
    void readScanSummaries();
    widgets::ExamplesPanel* examples_;
    widgets::DistributionPanel* distribution_;
};

}  // namespace loupe::app
