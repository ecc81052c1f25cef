#pragma once

#include "core/model.h"

#include <QDialog>

class QLineEdit;
class QListWidget;

namespace loupe::app {

// Dataset > Scan Folder…: which folder, and which layers to index.
class ScanDialog : public QDialog {
    Q_OBJECT
public:
    ScanDialog(
        const std::vector<LayerInfo>& layers, const QString& folder, QWidget* parent = nullptr);

    QString folder() const;
    QStringList layers() const;

private:
    QLineEdit* folder_;
    QListWidget* layers_;
};

}  // namespace loupe::app
