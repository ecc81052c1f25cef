#include "widgets/unit_selection.h"

namespace loupe::widgets {

QString UnitSelection::unitText() const
{
    return channel_ >= 0 ? layer_ + QLatin1Char(':') + QString::number(channel_) : layer_;
}

void UnitSelection::selectLayer(const QString& layer)
{
    if (layer == layer_ && channel_ < 0)
        return;
    const bool layerDiffers = layer != layer_;
    layer_ = layer;
    channel_ = -1;
    if (layerDiffers)
        emit layerChanged(layer_);
    emit unitChanged(layer_, channel_);
}

void UnitSelection::selectUnit(const QString& layer, int channel)
{
    if (layer == layer_ && channel == channel_)
        return;
    const bool layerDiffers = layer != layer_;
    layer_ = layer;
    channel_ = channel;
    if (layerDiffers)
        emit layerChanged(layer_);
    emit unitChanged(layer_, channel_);
}

void UnitSelection::selectConcept(const QString& layer, int concept)
{
    conceptLayer_ = layer;
    concept_ = concept;
    emit conceptSelected(layer, concept);
    emit conceptChanged(layer, concept);
}

void UnitSelection::rememberConcept(const QString& layer, int concept)
{
    const bool changed = layer != conceptLayer_ || concept != concept_;
    conceptLayer_ = layer;
    concept_ = concept;
    if (changed)
        emit conceptChanged(layer, concept);
}

void UnitSelection::clear()
{
    layer_.clear();
    channel_ = -1;
    emit layerChanged(layer_);
    emit unitChanged(layer_, channel_);
}

}  // namespace loupe::widgets
