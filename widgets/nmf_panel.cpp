#include "widgets/nmf_panel.h"

#include "widgets/qt_image.h"
#include "widgets/spin_box.h"
#include "widgets/unit_selection.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>

namespace loupe::widgets {
namespace {

constexpr int kThumb = 72;

QColor factorColour(int k)
{
    const auto c = nmfFactorColour(k);
    return QColor(c[0], c[1], c[2]);
}

// The factor's strongest channels, "12 (41%), 55 (20%)".
QString topChannels(const LayerFactors& f, int k, int n = 4)
{
    const auto begin = f.components.begin() + std::ptrdiff_t(k) * f.channels;
    std::vector<int> order(size_t(f.channels));
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + std::min(n, f.channels), order.end(),
        [&](int a, int b) { return begin[a] > begin[b]; });
    const float total = std::max(1e-12f, std::accumulate(begin, begin + f.channels, 0.f));
    QStringList parts;
    for (int i = 0; i < std::min(n, f.channels); ++i)
        parts << QStringLiteral("%1 (%2%)")
                     .arg(order[size_t(i)])
                     .arg(100.0 * begin[order[size_t(i)]] / total, 0, 'f', 0);
    return parts.join(QStringLiteral(", "));
}

}  // namespace

NmfPanel::NmfPanel(const PanelServices& services, QWidget* parent) : Panel(services, parent)
{
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* controls = new QHBoxLayout;
    k_ = spinBox(1, 32, 6, tr("k = "));
    auto* onImage = new QPushButton(tr("This image"));
    onImage->setToolTip(tr("Factorise the selected layer's activations on the current image"));
    auto* onFolder = new QPushButton(tr("Folder…"));
    onFolder->setToolTip(tr("Factorise over a folder of images (up to 64, evenly spread): neuron "
                            "groups for a concept"));
    auto* save = new QPushButton(tr("Save factor…"));
    save->setToolTip(tr(
        "Save the selected factor as a named direction, usable as the objective direction:NAME"));
    controls->addWidget(k_);
    controls->addWidget(onImage);
    controls->addWidget(onFolder);
    controls->addStretch(1);
    controls->addWidget(save);
    layout->addLayout(controls);
    auto* row = new QHBoxLayout;
    overlay_ = new QLabel;
    overlay_->setMinimumSize(200, 200);
    overlay_->setAlignment(Qt::AlignTop | Qt::AlignHCenter);
    list_ = new QListWidget;
    list_->setIconSize(QSize(kThumb, kThumb));
    list_->setWordWrap(true);
    row->addWidget(overlay_, 1);
    row->addWidget(list_, 1);
    layout->addLayout(row, 1);
    setBody(body);
    connect(onImage, &QPushButton::clicked, this, [this] { run(); });
    connect(onFolder, &QPushButton::clicked, this, [this] {
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("Folder of images for NMF"));
        if (!folder.isEmpty())
            run(folder);
    });
    connect(save, &QPushButton::clicked, this, [this] { saveSelected(); });
    clearFactors(
        tr("Select a spatial layer, then factorise its activations on this image or a folder."));
}

void NmfPanel::setK(int k)
{
    k_->setValue(k);
}
void NmfPanel::selectFactor(int factor)
{
    list_->setCurrentRow(factor);
}
int NmfPanel::factorCount() const
{
    return factors_.k;
}
int NmfPanel::renderedFactorImages() const
{
    return int(factorImages_.size());
}

void NmfPanel::run(const QString& folder)
{
    if (!selection() || selection()->layer().isEmpty()) {
        setStatus(tr("Select a layer first."));
        return;
    }
    setStatus(tr("factorising…"));
    emit nmfRequested(selection()->layer(), k_->value(), folder);
}

void NmfPanel::saveSelected(const QString& givenName)
{
    const int factor = list_->currentRow();
    if (factors_.k == 0 || factor < 0 || factor >= factors_.k) {
        setStatus(tr("Run NMF and select a factor first."));
        return;
    }
    QString name = givenName;
    if (name.isEmpty()) {
        bool ok = false;
        name = QInputDialog::getText(this, tr("Save direction"),
            tr("Name (used as direction:NAME):"), QLineEdit::Normal,
            QStringLiteral("%1-factor%2").arg(QString::fromStdString(factors_.layer)).arg(factor),
            &ok)
                   .trimmed();
        if (!ok || name.isEmpty())
            return;
    }
    const auto begin = factors_.components.begin() + std::ptrdiff_t(factor) * factors_.channels;
    emit saveDirectionRequested(name, QString::fromStdString(factors_.layer),
        std::vector<float>(begin, begin + factors_.channels));
}

void NmfPanel::setFactors(
    const LayerFactors& factors, const RgbImage& overlay, int images, const QString& source)
{
    factors_ = factors;
    factorImages_.clear();
    overlayImage_ = overlay;
    source_ = source;
    overlay_->setPixmap(QPixmap::fromImage(toQImage(overlay))
                            .scaled(280, 280, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    rebuildList();
    setStatus(
        tr("%1 factors of %2 over %3 image(s) (%4); relative error %5 — rendering each factor…")
            .arg(factors.k)
            .arg(QString::fromStdString(factors.layer))
            .arg(images)
            .arg(source)
            .arg(factors.errorHistory.empty() ? 0.0 : double(factors.errorHistory.back()), 0, 'f',
                3));
}

void NmfPanel::setFactorImages(const std::vector<RgbImage>& images)
{
    factorImages_ = images;
    rebuildList();
    setStatus(tr("Select a factor and Save it to use it as a feature-visualization objective."));
}

void NmfPanel::rebuildList()
{
    const int selected = list_->currentRow();
    list_->clear();
    for (int k = 0; k < factors_.k; ++k) {
        QImage icon(kThumb, kThumb, QImage::Format_RGB32);
        icon.fill(factorColour(k));
        if (size_t(k) < factorImages_.size()) {
            QPainter p(&icon);
            p.drawImage(QRect(6, 6, kThumb - 12, kThumb - 12),
                toQImage(factorImages_[size_t(k)]));  // colour as a frame
        }
        auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(icon)),
            tr("Factor %1\nchannels %2").arg(k).arg(topChannels(factors_, k)));
        list_->addItem(item);
    }
    if (selected >= 0 && selected < list_->count())
        list_->setCurrentRow(selected);
}

void NmfPanel::clearFactors(const QString& message)
{
    factors_ = {};
    factorImages_.clear();
    overlayImage_ = {};
    overlay_->clear();
    list_->clear();
    setStatus(message);
}

QString NmfPanel::exportName() const
{
    return QStringLiteral("nmf-%1-k%2").arg(QString::fromStdString(factors_.layer)).arg(factors_.k);
}

QSize NmfPanel::exportSize() const
{
    return QSize(640, std::max(340, 20 + factors_.k * (kThumb + 8)));
}

void NmfPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    if (!overlayImage_.empty())
        painter.drawImage(QRect(10, 10, 300, 300), toQImage(overlayImage_));
    QFont font = painter.font();
    font.setPixelSize(11);
    painter.setFont(font);
    for (int k = 0; k < factors_.k; ++k) {
        const QRect tile(330, 10 + k * (kThumb + 8), kThumb, kThumb);
        painter.fillRect(tile, factorColour(k));
        if (size_t(k) < factorImages_.size())
            painter.drawImage(tile.adjusted(5, 5, -5, -5), toQImage(factorImages_[size_t(k)]));
        painter.setPen(Qt::black);
        painter.drawText(
            QRect(tile.right() + 8, tile.top(), size.width() - tile.right() - 12, kThumb),
            Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap,
            tr("Factor %1: channels %2").arg(k).arg(topChannels(factors_, k)));
    }
}

QJsonObject NmfPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("layer")] = QString::fromStdString(factors_.layer);
    p[QStringLiteral("k")] = factors_.k;
    p[QStringLiteral("source")] = source_;
    p[QStringLiteral("method")] = QStringLiteral("multiplicative updates, 300 iterations, seed 0");
    return p;
}

QString NmfPanel::exportData() const
{
    if (factors_.k == 0)
        return {};
    QString csv = QStringLiteral("factor");  // one row per factor: its component over the channels
    for (int c = 0; c < factors_.channels; ++c)
        csv += QStringLiteral(",channel_%1").arg(c);
    csv += QLatin1Char('\n');
    for (int k = 0; k < factors_.k; ++k) {
        csv += QString::number(k);
        for (int c = 0; c < factors_.channels; ++c)
            csv += QLatin1Char(',') +
                QString::number(
                    double(factors_.components[size_t(k) * factors_.channels + c]), 'g', 6);
        csv += QLatin1Char('\n');
    }
    return csv;
}

}  // namespace loupe::widgets
