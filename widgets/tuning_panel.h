#pragma once

#include "core/tuning.h"
#include "widgets/panel.h"

#include <QMap>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QPushButton;

namespace loupe::widgets {

// What the Tuning dock asks the app to compute: plain text the session parses with the
// core's parsers (so the CLI and the dock accept the same syntax).
struct TuningRequest {
    enum class Mode { Sweep, Rotation, Radial, Invariance, FindTuned };
    Mode mode = Mode::Sweep;
    QString stimulus;  // "curve", "angle", …
    QString sweep;  // "orientation=0:360:5,curvature=0:4:0.25"
    QString layer;
    QList<int> channels;  // the selected unit first, then its family
};

// The Curve Detectors experiments for the selected unit (and a family of units of its layer):
// a stimulus sweep as a heatmap (two parameters) or curves (one), with the strongest stimuli
// as thumbnails; rotation tuning of the unit's top dataset examples; radial (polar) tuning of
// the family; and the invariance check across colour, fill and line width. Families are saved
// by name in the workspace. Every view exports with its numbers as CSV.
class TuningPanel : public Panel {
    Q_OBJECT
public:
    TuningPanel(const PanelServices& services, QWidget* parent = nullptr);

    void setMode(TuningRequest::Mode mode);
    TuningRequest::Mode mode() const;
    void setStimulus(const QString& kind);
    void setSweepText(const QString& sweep);
    QString sweepText() const;
    void setFamilyText(const QString& channels);  // "3, 7, 12"
    // Saved families: name -> "layer:c1,c2,…".
    void setFamilies(const QMap<QString, QString>& families);
    TuningRequest request() const;

    // Results, as plain numbers; `shown`: the stimuli of SweepResult::thumbnailStimuli, rendered.
    void setSweep(const SweepResult& sweep, const std::vector<RgbImage>& shown);

    void setRadial(const RadialTuning& radial, const QString& layer);
    void setRotation(const RotationTuning& rotation, const QString& layer);
    void setInvariance(const std::vector<InvarianceVariant>& variants);
    // A layer's most orientation-selective units: drawn radially and put in the family field.
    void setRanking(
        const std::vector<TunedUnit>& units, const RadialTuning& radial, const QString& layer);
    void clearResults(const QString& message);
    int plottedSeries() const;  // for tests: what the plot shows
    bool showsHeatmap() const;

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesImage() const override { return false; }  // a unit's, not the photo's
    QString exportData() const override;

public slots:
    void run();

signals:
    void tuningRequested(const loupe::widgets::TuningRequest& request);
    void saveFamilyRequested(const QString& name, const QString& layer, const QList<int>& channels);

private:
    void resetPlot();
    void updateDefaultsForStimulus();
    void saveFamily();
    void showThumbnails(const SweepResult& sweep, const std::vector<RgbImage>& shown);

    QComboBox* mode_;
    QComboBox* stimulus_;
    QLineEdit* sweep_;
    QLineEdit* family_;
    QComboBox* families_;
    QPushButton* run_;
    QCustomPlot* plot_;
    QLabel* thumbnails_;
    QLabel* summary_;
    QMap<QString, QString> savedFamilies_;
    QString data_;  // CSV of what is shown
    QJsonObject parameters_;  // what produced it
    QString title_;
};

}  // namespace loupe::widgets

Q_DECLARE_METATYPE(loupe::widgets::TuningRequest)
