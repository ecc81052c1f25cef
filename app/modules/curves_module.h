#pragma once

#include "app/feature_module.h"
#include "core/curve_extraction.h"

#include <QMap>

namespace loupe::widgets {
class CurvesPanel;
}

namespace loupe::app {

// Curve extraction with a family of curve units: the curve map of the current image beside
// Canny, traced B-spline strokes, and the synthetic-scene measurement (core/curve_extraction.h,
// core/spline_trace.h).
class CurvesModule : public FeatureModule {
    Q_OBJECT
public:
    CurvesModule(const AppContext& context, QObject* parent);
    QList<ModuleDock> docks() const override;
    widgets::CurvesPanel* panel() const { return panel_; }

    void requestCurveMap(const QString& family, loupe::CurveMapMethod method,
        bool colourByOrientation, double cannyLow, double cannyHigh);
    void requestTrace(const QString& family, loupe::CurveMapMethod method, int strokes,
        const QString& penaltyTarget);
    void requestBenchmark(const QString& family, loupe::CurveMapMethod method);

signals:
    void failed(const QString& message);
    void curveMapReady();
    void strokesReady();
    void benchmarkReady();

private:
    // A saved family's name or "layer:c1,c2"; emits failed and returns false when neither.
    bool resolve(const QString& text, std::string& layer, std::vector<int>& channels);
    bool ready(bool needsImage = false);  // emits failed and returns false when not

    widgets::CurvesPanel* panel_;
    QMap<QString, QString> families_;
};

}  // namespace loupe::app
