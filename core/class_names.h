#pragma once

#include <string>

namespace loupe {

class Model;

// A class by number or by name: "281", "tabby" (a label, ignoring case) or a part of exactly one
// label ("tiger cat"). Throws loupe::Error naming the candidates when a part matches several,
// or when nothing matches.
int resolveClass(const Model& model, const std::string& text);

}  // namespace loupe
