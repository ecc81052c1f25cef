#pragma once

#include "core/curve_extraction.h"
#include "core/spline_trace.h"
#include "widgets/colour_bar.h"
#include "widgets/panel.h"

#include <QMap>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace loupe::widgets {

class ImageRow;

// Curve extraction (Curve Detectors): a family's curve map of the current image beside Canny's
// edges of the same view, B-spline strokes traced along the map (exported as SVG + JSON), and
// the measured comparison of both on synthetic scenes whose curve pixels are known.
class CurvesPanel : public Panel {
    Q_OBJECT
public:
    CurvesPanel(const PanelServices& services, QWidget* parent = nullptr);

    // Saved families (name -> "layer:c1,c2,…") offered in the family field.
    void setFamilies(const QMap<QString, QString>& families);
    void setFamily(const QString& text);
    QString family() const;  // as typed: a saved family's name or "layer:c1,c2,…"
    void setStrokeCount(int strokes);
    void setOrientationColour(bool on);

    // `mapScale`: the curve map's colour key, drawn under it.
    void showCurveMap(const QImage& photo, const QImage& map, const QImage& canny,
        const QString& mapCaption, const QString& cannyCaption, const ColourScale& mapScale);
    ColourScale curveMapScale() const;
    void showStrokes(const QImage& drawn, const std::vector<SplineStroke>& strokes,
        const QImage& photo, int width, int height);
    void showBenchmark(const CurveBenchmark& result, const QString& family);
    void clearResult(const QString& message);
    const std::vector<SplineStroke>& strokes() const { return strokes_; }
    QString summary() const;

    // Writes the strokes as SVG (over the photo, saved beside it as PNG) and JSON next to it.
    bool exportStrokes(const QString& svgPath, QString* error = nullptr);

    QString exportName() const override;
    bool exportUsesUnit() const override { return false; }  // the family's, named in the figure
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;

public slots:
    void run();
    void trace();
    void measure();

signals:
    // Canny thresholds are negative for automatic ones (from the median grey level).
    void curveMapRequested(const QString& family, loupe::CurveMapMethod method,
        bool colourByOrientation, double cannyLow, double cannyHigh);
    void traceRequested(const QString& family, loupe::CurveMapMethod method, int strokes,
        const QString& penaltyTarget);
    void benchmarkRequested(const QString& family, loupe::CurveMapMethod method);

private:
    CurveMapMethod method() const;
    void chooseStrokesFile();

    QComboBox* family_;
    QComboBox* method_;
    QCheckBox* colour_;
    QCheckBox* autoCanny_;
    QSpinBox* cannyLow_;
    QSpinBox* cannyHigh_;
    QSpinBox* strokeCount_;
    QLineEdit* penalty_;
    ImageRow* row_;  // photo, curve map
    ImageRow* lower_;  // Canny, traced strokes
    QLabel* result_;
    std::vector<SplineStroke> strokes_;
    QImage photo_;
    int strokesWidth_ = 0;
    int strokesHeight_ = 0;
};

}  // namespace loupe::widgets
