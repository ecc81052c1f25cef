#include "app/scan_dialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace loupe::app {

ScanDialog::ScanDialog(const std::vector<LayerInfo>& layers, const QString& folder, QWidget* parent)
    : QDialog(parent), folder_(new QLineEdit(folder)), layers_(new QListWidget)
{
    setWindowTitle(tr("Scan a folder of images"));
    auto* layout = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Folder:")));
    row->addWidget(folder_, 1);
    auto* browse = new QPushButton(tr("Browse…"));
    row->addWidget(browse);
    layout->addLayout(row);
    layout->addWidget(new QLabel(
        tr("Layers to index (per channel: top/bottom examples, pre-ReLU histogram, samples).\n"
           "Re-running on the same folder resumes; use the same layers.")));
    for (const auto& layer : layers) {
        if (!layer.addressable || !layer.isSpatial())
            continue;
        auto* item = new QListWidgetItem(QString::fromStdString(layer.path) +
            (layer.alias.empty()
                    ? QString()
                    : QStringLiteral("  (%1)").arg(QString::fromStdString(layer.alias))));
        item->setData(Qt::UserRole, QString::fromStdString(layer.path));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        // Default: the main blocks (top-level modules with weights).
        item->setCheckState(layer.depth == 0 && layer.parameters > 0 ? Qt::Checked : Qt::Unchecked);
        layers_->addItem(item);
    }
    layout->addWidget(layers_, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Scan"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Folder of images"), folder_->text());
        if (!dir.isEmpty())
            folder_->setText(dir);
    });
    resize(520, 560);
}

QString ScanDialog::folder() const
{
    return folder_->text().trimmed();
}

QStringList ScanDialog::layers() const
{
    QStringList out;
    for (int i = 0; i < layers_->count(); ++i)
        if (layers_->item(i)->checkState() == Qt::Checked)
            out << layers_->item(i)->data(Qt::UserRole).toString();
    return out;
}

}  // namespace loupe::app
