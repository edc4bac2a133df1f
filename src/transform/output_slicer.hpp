#pragma once
// Bounds the output a flow builds before its batch is handed on: a dimension change that
// fans out to a million destination rows, or the rebuild of a whole destination table, is
// passed on in slices of about `max_rows` changes or `max_bytes` bytes of row text, all
// written in the batch's one warehouse transaction.

#include <cstddef>
#include <functional>
#include <limits>

#include "core/change.hpp"

namespace sluice::transform {

struct OutputSlicer {
  size_t max_rows = std::numeric_limits<size_t>::max();
  size_t max_bytes = std::numeric_limits<size_t>::max();
  // Takes a full slice and empties it; without one, the output is never sliced.
  std::function<void(ChangeBatch&)> take;

  void check(ChangeBatch& out) const {
    if (take && (out.changes.size() >= max_rows || out.row_bytes >= max_bytes)) take(out);
  }
};

}  // namespace sluice::transform
