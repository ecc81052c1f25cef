#pragma once

#include <QSpinBox>
#include <QString>

namespace loupe::widgets {

// The panels' numeric settings: a range, a start value, and the unit around the number
// ("grid 30", "256 steps").
inline QSpinBox* spinBox(int lo, int hi, int value, const QString& prefix = {},
    const QString& suffix = {}, const QString& tip = {})
{
    auto* box = new QSpinBox;
    box->setRange(lo, hi);
    box->setValue(value);
    box->setPrefix(prefix);
    box->setSuffix(suffix);
    box->setToolTip(tip);
    return box;
}

}  // namespace loupe::widgets
