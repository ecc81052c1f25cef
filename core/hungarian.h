#pragma once
// The assignment problem (Kuhn–Munkres / Hungarian algorithm, O(n^3)): pairs rows with columns
// of a cost matrix so that the total cost is least. Hand-written (~60 lines): Debian packages
// it only inside large libraries (dlib, OR-Tools) that Loupe does not otherwise need.

#include <vector>

namespace loupe {

// cost: rows x columns, row-major, rows <= columns. Returns, for each row, its column.
std::vector<int> minimumCostAssignment(const std::vector<double>& cost, int rows, int columns);

}  // namespace loupe
