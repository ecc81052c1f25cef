#include "widgets/curves_panel.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "widgets/image_row.h"
#include "widgets/spin_box.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QToolBar>
#include <QVBoxLayout>

namespace loupe::widgets {

CurvesPanel::CurvesPanel(const PanelServices& services, QWidget* parent)
    : Panel(services, parent), family_(new QComboBox), method_(new QComboBox),
      colour_(new QCheckBox(tr("Colour by orientation"))), autoCanny_(new QCheckBox(tr("Auto"))),
      row_(new ImageRow(tr("Open an image, give a family of curve units (e.g. found with Find "
                           "Tuned Units in the Tuning dock), then Curve Map"))),
      lower_(new ImageRow(tr("Canny's edges and the traced strokes appear here"))),
      result_(new QLabel)
{
    family_->setEditable(true);
    family_->setMinimumContentsLength(24);
    family_->setToolTip(tr("A saved family's name, or layer:c1,c2,… (the units' activations are "
                           "summed)"));
    family_->lineEdit()->setPlaceholderText(tr("family: name or layer:c1,c2,…"));
    method_->addItem(QString::fromStdString(curveMapMethodLabel(CurveMapMethod::GuidedBackprop)),
        int(CurveMapMethod::GuidedBackprop));
    method_->addItem(
        QString::fromStdString(curveMapMethodLabel(CurveMapMethod::InputTimesGradient)),
        int(CurveMapMethod::InputTimesGradient));
    colour_->setToolTip(tr("One map per unit, each drawn in the hue of its preferred orientation "
                           "(measured by a sweep)"));
    autoCanny_->setChecked(true);
    autoCanny_->setToolTip(tr("Canny thresholds from the median grey level (0.66x, 1.33x)"));
    cannyLow_ = spinBox(0, 1000, 50, tr("low "), {}, tr("Canny's lower hysteresis threshold"));
    cannyHigh_ = spinBox(0, 1000, 150, tr("high "), {}, tr("Canny's upper hysteresis threshold"));
    cannyLow_->setEnabled(false);
    cannyHigh_->setEnabled(false);
    connect(autoCanny_, &QCheckBox::toggled, this, [this](bool automatic) {
        cannyLow_->setEnabled(!automatic);
        cannyHigh_->setEnabled(!automatic);
    });
    strokeCount_ = spinBox(1, 32, 3, {}, tr(" strokes"), tr("Strokes to trace, strongest first"));
    penalty_ = new QLineEdit;
    penalty_->setPlaceholderText(
        tr("avoid: class:N, unit:L:C, concept:L:N, direction:NAME (optional)"));
    penalty_->setToolTip(tr("Strokes pay for crossing where this target's attribution is high "
                            "(a texture unit, a class)"));

    toolBar()->addAction(tr("Curve Map"), this, &CurvesPanel::run);
    toolBar()->addAction(tr("Trace"), this, &CurvesPanel::trace);
    toolBar()
        ->addAction(tr("Measure"), this, &CurvesPanel::measure)
        ->setToolTip(tr("Precision/recall of curve pixels on synthetic scenes, family vs Canny"));
    toolBar()->addAction(tr("Export Strokes…"), this, &CurvesPanel::chooseStrokesFile);

    auto* settings = new QWidget;
    auto* form = new QVBoxLayout(settings);
    form->setContentsMargins(4, 0, 4, 0);
    auto* first = new QHBoxLayout;
    first->addWidget(family_, 3);
    first->addWidget(method_, 1);
    first->addWidget(colour_);
    auto* second = new QHBoxLayout;
    second->addWidget(new QLabel(tr("Canny")));
    second->addWidget(autoCanny_);
    second->addWidget(cannyLow_);
    second->addWidget(cannyHigh_);
    second->addSpacing(12);
    second->addWidget(strokeCount_);
    second->addWidget(penalty_, 1);
    form->addLayout(first);
    form->addLayout(second);

    result_->setWordWrap(true);
    result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row_->setMinimumHeight(160);
    lower_->setMinimumHeight(160);
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(settings);
    layout->addWidget(row_, 1);
    layout->addWidget(lower_, 1);
    layout->addWidget(result_);
    setBody(body);
    setStatus(tr("Curve extraction: a family of curve units as a curve detector for photos."));
}

void CurvesPanel::setFamilies(const QMap<QString, QString>& families)
{
    const QString current = family_->currentText();
    family_->clear();
    for (auto it = families.begin(); it != families.end(); ++it)
        family_->addItem(it.key());
    family_->setEditText(current);
}

void CurvesPanel::setFamily(const QString& text)
{
    family_->setEditText(text);
}

QString CurvesPanel::family() const
{
    return family_->currentText().trimmed();
}

void CurvesPanel::setStrokeCount(int strokes)
{
    strokeCount_->setValue(strokes);
}

void CurvesPanel::setOrientationColour(bool on)
{
    colour_->setChecked(on);
}

CurveMapMethod CurvesPanel::method() const
{
    return CurveMapMethod(method_->currentData().toInt());
}

void CurvesPanel::run()
{
    if (family().isEmpty()) {
        setStatus(tr("Give a family: a saved family's name or layer:c1,c2,…"));
        return;
    }
    const bool automatic = autoCanny_->isChecked();
    emit curveMapRequested(family(), method(), colour_->isChecked(),
        automatic ? -1.0 : double(cannyLow_->value()),
        automatic ? -1.0 : double(cannyHigh_->value()));
}

void CurvesPanel::trace()
{
    if (family().isEmpty()) {
        setStatus(tr("Give a family: a saved family's name or layer:c1,c2,…"));
        return;
    }
    emit traceRequested(family(), method(), strokeCount_->value(), penalty_->text().trimmed());
}

void CurvesPanel::measure()
{
    if (family().isEmpty()) {
        setStatus(tr("Give a family: a saved family's name or layer:c1,c2,…"));
        return;
    }
    emit benchmarkRequested(family(), method());
}

void CurvesPanel::showCurveMap(const QImage& photo, const QImage& map, const QImage& canny,
    const QString& mapCaption, const QString& cannyCaption, const ColourScale& mapScale)
{
    photo_ = photo;
    row_->setImages({photo, map}, {tr("photo (model input view)"), mapCaption});
    row_->setScale(1, mapScale);
    lower_->setImage(0, canny, cannyCaption);
    if (lower_->count() < 2)
        lower_->setImage(1, QImage(), tr("traced strokes (Trace)"));
    setStatus(tr("Curve map of %1.").arg(family()));
}

ColourScale CurvesPanel::curveMapScale() const
{
    return row_->scale(1);
}

void CurvesPanel::showStrokes(const QImage& drawn, const std::vector<SplineStroke>& strokes,
    const QImage& photo, int width, int height)
{
    strokes_ = strokes;
    photo_ = photo;
    strokesWidth_ = width;
    strokesHeight_ = height;
    if (row_->count() < 1)
        row_->setImage(0, photo, tr("photo (model input view)"));
    if (lower_->count() < 1)
        lower_->setImage(0, QImage(), tr("Canny edges (Curve Map)"));
    lower_->setImage(1, drawn, tr("%n traced stroke(s)", nullptr, int(strokes.size())));
    setStatus(tr("Traced %n stroke(s); Export Strokes… writes them as SVG and JSON.", nullptr,
        int(strokes.size())));
}

void CurvesPanel::showBenchmark(const CurveBenchmark& r, const QString& family)
{
    const auto score = [](const DetectionScore& s) {
        return QStringLiteral("F1 %1 (P %2, R %3)")
            .arg(s.f1, 0, 'f', 3)
            .arg(s.precision, 0, 'f', 3)
            .arg(s.recall, 0, 'f', 3);
    };
    result_->setText(
        tr("<b>%1 on %2 synthetic scenes</b> (arcs and straight lines over texture, curve "
           "pixels within 2 px): family map %3 at threshold %4; Canny %5 at high %6 "
           "(auto thresholds %7). Curve pixels over line pixels: family %8×, Canny %9×. "
           "Combing (%10 combed arcs): the map on the ticks is %11× its value on the arc "
           "and %12× the background.")
            .arg(family.toHtmlEscaped())
            .arg(r.scenes)
            .arg(score(r.family))
            .arg(r.family.threshold, 0, 'f', 2)
            .arg(score(r.canny))
            .arg(r.canny.threshold, 0, 'f', 0)
            .arg(score(r.cannyAuto))
            .arg(r.familyCurveToLine, 0, 'f', 2)
            .arg(r.cannyCurveToLine, 0, 'f', 2)
            .arg(r.combedScenes)
            .arg(r.combingTicksToArc, 0, 'f', 2)
            .arg(r.combingTicksToBackground, 0, 'f', 2));
    setStatus(tr("Measured on synthetic scenes with known curve pixels."));
}

void CurvesPanel::clearResult(const QString& message)
{
    setStatus(message);
}

QString CurvesPanel::summary() const
{
    return result_->text();
}

void CurvesPanel::chooseStrokesFile()
{
    if (strokes_.empty()) {
        setStatus(tr("Trace strokes first."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Strokes"), QStringLiteral("strokes.svg"), tr("SVG (*.svg)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportStrokes(path, &error))
        setStatus(error);
}

bool CurvesPanel::exportStrokes(const QString& svgPath, QString* error)
{
    const QFileInfo svg(svgPath);
    const QString photoName = svg.completeBaseName() + QStringLiteral("-photo.png");
    const QString jsonPath = svg.dir().filePath(svg.completeBaseName() + QStringLiteral(".json"));
    try {
        if (!photo_.isNull() && !photo_.save(svg.dir().filePath(photoName)))
            throw Error("cannot write the photo beside '" + svgPath.toStdString() + "'");
        writeFileAtomically(svgPath.toStdString(),
            strokesSvg(strokes_, strokesWidth_, strokesHeight_,
                photo_.isNull() ? std::string() : photoName.toStdString()));
        Json json = strokesJson(strokes_, strokesWidth_, strokesHeight_);
        json["family"] = family().toStdString();
        writeFileAtomically(jsonPath.toStdString(), json.dump(2) + "\n");
    } catch (const Error& e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return false;
    }
    setStatus(tr("Wrote %1 and %2.").arg(svgPath, jsonPath));
    return true;
}

QString CurvesPanel::exportName() const
{
    return QStringLiteral("curves");
}

QSize CurvesPanel::exportSize() const
{
    return QSize(1200, 360);
}

void CurvesPanel::paintExport(QPainter& painter, const QSize& size) const
{
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    painter.setPen(Qt::black);
    painter.drawText(QRect(8, 4, size.width() - 16, 22), Qt::AlignLeft | Qt::AlignVCenter,
        tr("Curve extraction with the family %1").arg(family()));
    // One row of four in the figure: photo, curve map, Canny, strokes.
    const int half = size.width() / 2;
    row_->paintAll(painter, QRect(0, 28, half, size.height() - 28));
    lower_->paintAll(painter, QRect(half, 28, size.width() - half, size.height() - 28));
}

QJsonObject CurvesPanel::exportParameters() const
{
    QJsonObject p;
    p[QStringLiteral("family")] = family();
    p[QStringLiteral("method")] = method_->currentText();
    p[QStringLiteral("colour_by_orientation")] = colour_->isChecked();
    p[QStringLiteral("canny")] = autoCanny_->isChecked()
        ? QStringLiteral("auto (0.66 x and 1.33 x the median grey)")
        : QStringLiteral("%1, %2").arg(cannyLow_->value()).arg(cannyHigh_->value());
    p[QStringLiteral("strokes")] = int(strokes_.size());
    if (!penalty_->text().isEmpty())
        p[QStringLiteral("penalty")] = penalty_->text();
    return p;
}

}  // namespace loupe::widgets
