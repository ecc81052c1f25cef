#pragma once

#include "app/cli/cli_args.h"
#include "core/featurevis.h"

namespace loupe::cli {

// --param fourier|pixel --no-decorrelate --size --steps --lr --seed --batch --diversity
// --no-transforms --jitter --scale --rotate --l1 --l2 --tv --negative
FeatureVisConfig featureVisConfigFromArgs(const Args& args);
std::vector<std::string> featureVisOptionNames(std::vector<std::string> extra);

}  // namespace loupe::cli
