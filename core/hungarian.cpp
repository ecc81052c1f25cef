#include "core/hungarian.h"

#include "core/error.h"

#include <limits>

namespace loupe {

// The shortest-augmenting-path form with row and column potentials u, v (1-based internally,
// column 0 is the virtual start of each augmenting path).
std::vector<int> minimumCostAssignment(const std::vector<double>& cost, int rows, int columns)
{
    if (rows > columns || cost.size() != size_t(rows) * size_t(columns))
        throw Error("an assignment needs at most as many rows as columns");
    const double infinity = std::numeric_limits<double>::infinity();
    std::vector<double> u(size_t(rows) + 1, 0), v(size_t(columns) + 1, 0);
    std::vector<int> rowOfColumn(size_t(columns) + 1, 0), way(size_t(columns) + 1, 0);
    const auto at = [&](int r, int c) {
        return cost[size_t(r - 1) * size_t(columns) + size_t(c - 1)];
    };
    for (int r = 1; r <= rows; ++r) {
        rowOfColumn[0] = r;
        int column = 0;
        std::vector<double> least(size_t(columns) + 1, infinity);
        std::vector<bool> used(size_t(columns) + 1, false);
        do {
            used[size_t(column)] = true;
            const int row = rowOfColumn[size_t(column)];
            double delta = infinity;
            int next = 0;
            for (int c = 1; c <= columns; ++c) {
                if (used[size_t(c)])
                    continue;
                const double reduced = at(row, c) - u[size_t(row)] - v[size_t(c)];
                if (reduced < least[size_t(c)]) {
                    least[size_t(c)] = reduced;
                    way[size_t(c)] = column;
                }
                if (least[size_t(c)] < delta) {
                    delta = least[size_t(c)];
                    next = c;
                }
            }
            for (int c = 0; c <= columns; ++c) {
                if (used[size_t(c)]) {
                    u[size_t(rowOfColumn[size_t(c)])] += delta;
                    v[size_t(c)] -= delta;
                } else {
                    least[size_t(c)] -= delta;
                }
            }
            column = next;
        } while (rowOfColumn[size_t(column)] != 0);
        do {  // flip the augmenting path
            const int previous = way[size_t(column)];
            rowOfColumn[size_t(column)] = rowOfColumn[size_t(previous)];
            column = previous;
        } while (column != 0);
    }
    std::vector<int> assignment(size_t(rows), -1);
    for (int c = 1; c <= columns; ++c)
        if (rowOfColumn[size_t(c)] > 0)
            assignment[size_t(rowOfColumn[size_t(c)] - 1)] = c - 1;
    return assignment;
}

}  // namespace loupe
