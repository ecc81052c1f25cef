#pragma once

#include <QObject>
#include <QString>

namespace loupe::widgets {

// The one selection shared by every panel: a layer, optionally a channel in it. Panels
// listen to it and write to it; none of them knows the others.
class UnitSelection : public QObject {
    Q_OBJECT
public:
    explicit UnitSelection(QObject* parent = nullptr) : QObject(parent) {}

    QString layer() const { return layer_; }
    int channel() const { return channel_; }
    QString unitText() const;  // "layer" or "layer:channel"
    // The concept chosen last (selectConcept), "" / -1 before any: an attribution target.
    QString conceptLayer() const { return conceptLayer_; }
    int concept() const { return concept_; }

public slots:
    void selectLayer(const QString& layer);
    void selectUnit(const QString& layer, int channel);
    void clear();
    // A learned concept of a layer's dictionary (concept:LAYER:INDEX): the Concepts dock
    // shows it; the layer and unit selection stay as they are.
    void selectConcept(const QString& layer, int concept);
    // The concept a panel shows now (no conceptSelected: it is already shown).
    void rememberConcept(const QString& layer, int concept);

signals:
    void conceptSelected(const QString& layer, int concept);
    // Whichever way the concept changed (selected, or shown by a panel): for views that only
    // follow it, such as the atlas's colouring.
    void conceptChanged(const QString& layer, int concept);
    void layerChanged(const QString& layer);
    void unitChanged(const QString& layer, int channel);  // channel -1: whole layer

private:
    QString layer_;
    int channel_ = -1;
    QString conceptLayer_;
    int concept_ = -1;
};

}  // namespace loupe::widgets
