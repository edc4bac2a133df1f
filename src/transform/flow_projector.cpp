#include "transform/flow_projector.hpp"

#include <algorithm>

namespace sluice::transform {

void FlowProjector::begin(const PackedRow* const* rows, int64_t commit_time_us) {
  ctx_.rows = rows;
  ctx_.commit_time_us = commit_time_us;
  ctx_.arena.reset();
  ctx_.error.clear();
  error_column_ = {};
}

bool FlowProjector::append_output(size_t i, Row& out) {
  const OutputColumn& column = plan_.outputs[i];
  const Node& n = *column.expr;
  if (column.direct) {
    const PackedRow* row = ctx_.rows[n.slot];
    if (row == nullptr) {
      out.append_null();
    } else {
      row->append_cell_to(out, n.column);
    }
    return true;
  }
  Value v = evaluate(n, ctx_);
  if (ctx_.failed()) {
    error_column_ = column.name;
    return false;
  }
  append_value(v, n.type, out);
  return true;
}

Projection FlowProjector::project(const PackedRow* const* rows, int64_t commit_time_us, Row& out) {
  begin(rows, commit_time_us);
  if (plan_.where) {
    Value keep = evaluate(*plan_.where, ctx_);
    if (ctx_.failed()) {
      error_column_ = "WHERE";
      return Projection::kError;
    }
    if (!is_true(keep)) return Projection::kFiltered;
  }
  for (const JoinPlan& j : plan_.joins)
    if (j.inner && rows[j.slot] == nullptr) return Projection::kFiltered;
  out.clear();
  for (size_t i = 0; i < plan_.outputs.size(); ++i)
    if (!append_output(i, out)) return Projection::kError;
  for (size_t k : plan_.key_outputs) {
    if (out.is_null(k)) {
      error_column_ = plan_.outputs[k].name;
      ctx_.fail("the destination key is null");
      return Projection::kError;
    }
  }
  return Projection::kRow;
}

bool FlowProjector::passes_where(const PackedRow& driving, int64_t commit_time_us) {
  if (!plan_.where) return true;
  const PackedRow* rows[1] = {&driving};
  begin(rows, commit_time_us);
  Value keep = evaluate(*plan_.where, ctx_);
  return ctx_.failed() || is_true(keep);
}

bool FlowProjector::project_key(const PackedRow& driving, int64_t commit_time_us, Row& out) {
  // Key expressions read the driving row only (checked by the planner), so slot 0 is all
  // they can touch.
  const PackedRow* rows[1] = {&driving};
  begin(rows, commit_time_us);
  out.clear();
  for (size_t i = 0; i < plan_.outputs.size(); ++i) {
    if (std::ranges::find(plan_.key_outputs, i) == plan_.key_outputs.end()) {
      out.append_null();
    } else if (!append_output(i, out) || out.is_null(i)) {
      return false;
    }
  }
  return true;
}

}  // namespace sluice::transform
