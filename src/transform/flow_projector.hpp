#pragma once
// Evaluates a planned flow for one driving row whose lookup rows are already found:
// the WHERE filter and the SELECT list into a destination row. This is the per-row hot
// path; it reuses one arena and one hashing context.

#include <string>
#include <string_view>

#include "core/row.hpp"
#include "transform/flow_plan.hpp"

namespace sluice::transform {

enum class Projection : uint8_t { kRow, kFiltered, kError };

class FlowProjector {
 public:
  explicit FlowProjector(const FlowPlan& plan) : plan_(plan) {}

  // `rows[s]` is slot s's row, nullptr for a lookup that found nothing. kError leaves
  // the message in error() and the failing output column in error_column().
  Projection project(const PackedRow* const* rows, int64_t commit_time_us, Row& out);
  // Only the WHERE filter (true without one); an error counts as passing, so a row whose
  // filter cannot be evaluated is still removed or replaced downstream.
  bool passes_where(const PackedRow& driving, int64_t commit_time_us);
  // The destination key cells of a driving row, every other cell null (delete images).
  bool project_key(const PackedRow& driving, int64_t commit_time_us, Row& out);

  const std::string& error() const { return ctx_.error; }
  std::string_view error_column() const { return error_column_; }

 private:
  void begin(const PackedRow* const* rows, int64_t commit_time_us);
  bool append_output(size_t i, Row& out);

  const FlowPlan& plan_;
  EvalContext ctx_;
  std::string_view error_column_;
};

}  // namespace sluice::transform
