#pragma once

#include "core/image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loupe {

// The eleven basic colour terms of Berlin & Kay (black, blue, brown, grey, green, orange, pink,
// purple, red, white, yellow), the colour concepts of network dissection. Broden labelled its
// colour set per pixel from a fixed colour-naming table (van de Weijer et al.'s 32^3 lookup
// over RGB); Loupe's table has the same shape, built once from focal prototypes by nearest
// neighbour in CIELAB, so that naming a pixel is one lookup and never depends on a download.
const std::vector<std::string>& basicColourNames();

// Index into basicColourNames() of one pixel.
int colourNameOf(std::uint8_t r, std::uint8_t g, std::uint8_t b);

// Every pixel of an image named (row-major, width * height indices into basicColourNames()).
std::vector<std::uint8_t> nameColours(const RgbImage& image);

}  // namespace loupe
