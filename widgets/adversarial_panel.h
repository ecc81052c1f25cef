#pragma once

#include "core/adversarial.h"
#include "widgets/panel.h"

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QSpinBox;
class QTableWidget;

namespace loupe::widgets {

class ImageRow;

// Adversarial examples on the current image: the photo, the adversarial image and the
// perturbation amplified, the top-5 before and after (and on a second model: transfer), the
// attack's loss per step, the smallest epsilon that flips the top-1, and fooling images.
class AdversarialPanel : public Panel {
    Q_OBJECT
public:
    AdversarialPanel(const PanelServices& services, QWidget* parent = nullptr);

    AttackConfig config() const;  // the tool bar's settings
    void setEpsilon(int epsilon);
    void setMethod(AttackConfig::Method method);
    void setTarget(int targetClass);
    void setSteps(int steps);
    void start(const QString& what);
    void showAttack(const Attack& attack);
    void showEpsilonSearch(const EpsilonSearch& search);
    void showFooling(const FoolingImage& fooled, const QString& label);
    void showTransfer(const QString& model, const std::vector<Prediction>& before,
        const std::vector<Prediction>& after);
    void clearResult(const QString& message);
    bool hasResult() const { return !last_.adversarial.empty(); }
    const Attack& lastAttack() const { return last_; }

    QString exportName() const override;
    QSize exportSize() const override;
    void paintExport(QPainter& painter, const QSize& size) const override;
    QJsonObject exportParameters() const override;
    bool exportUsesUnit() const override { return false; }  // the image's, not a unit's
    QString exportData() const override;

public slots:
    void run();
    void searchEpsilon();
    void makeFooling();
    void chooseTransferModel();

signals:
    void attackRequested(const loupe::AttackConfig& config);
    void epsilonSearchRequested(const loupe::AttackConfig& config, float maxEpsilon);
    void foolingRequested(int targetClass, int maxSteps);
    void transferRequested(const QString& modelPath);

private:
    void showPredictions(int column, const std::vector<Prediction>& predictions);

    QComboBox* method_;
    QSpinBox* epsilon_;
    QSpinBox* step_;
    QSpinBox* steps_;
    QCheckBox* randomStart_;
    QSpinBox* target_;
    ImageRow* row_;
    QTableWidget* predictions_;
    QCustomPlot* plot_;
    Attack last_;
    float minEpsilon_ = 0.f;  // 0: not searched; -1: none up to the maximum
    QString transferModel_;
};

}  // namespace loupe::widgets
