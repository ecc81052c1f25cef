#pragma once

class QWidget;

namespace loupe::app {

// Help > Guide: a short in-app guide (what each task preset is for, how to reach a unit, how
// jobs behave, where results are kept), non-modal so it can stay open beside the docks.
void showUserGuide(QWidget* parent);

}  // namespace loupe::app
