#pragma once
// Reads every cell of a decoded row, so the sanitizers check that each cell's text lies
// inside the row's buffer (a wrong offset would otherwise go unnoticed until the sink).

#include <cstddef>

#include "core/row.hpp"

namespace sluice::fuzz {

inline size_t touch(const Row& row) {
  size_t bytes = 0;
  for (size_t i = 0; i < row.size(); ++i)
    if (row.state(i) == CellState::kValue)
      for (char c : row.text(i)) bytes += static_cast<unsigned char>(c) != 0;
  return bytes;
}

}  // namespace sluice::fuzz
