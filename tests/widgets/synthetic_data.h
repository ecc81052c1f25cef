#pragma once
// Plain structs for panel tests: panels take data, not models.

#include "core/activations.h"

namespace loupe::test {

inline LayerActivations syntheticActivations(int channels, int size, const char* layer = "block")
{
    LayerActivations a;
    a.layer = layer;
    a.channels = channels;
    a.height = a.width = size;
    for (int c = 0; c < channels; ++c) {
        float sum = 0, max = 0;
        for (int i = 0; i < size * size; ++i) {
            const float v = c == 1 ? 0.f : float((i * (c + 1)) % 7);
            a.values.push_back(v);
            sum += v;
            max = std::max(max, v);
        }
        a.channelMean.push_back(sum / float(size * size));
        a.channelMax.push_back(max);
        a.dead.push_back(c == 1);
    }
    a.predictions = {{2, "two", 0.7f}, {0, "zero", 0.2f}, {1, "one", 0.1f}};
    return a;
}

}  // namespace loupe::test
