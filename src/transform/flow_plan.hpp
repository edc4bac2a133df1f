#pragma once
// The planner: binds a parsed flow to the captured tables, checks the joins are lookups
// by primary key, compiles every expression and derives the destination table.

#include <string>
#include <vector>

#include "config/pipeline_config.hpp"
#include "core/schema.hpp"
#include "transform/expression_compiler.hpp"

namespace sluice::transform {

// LEFT JOIN j ON j.k1 = p.x AND j.k2 = p.y: the lookup key of slot `slot` is built from
// the parent row's `parent_columns`, ordered like the joined table's primary key.
struct JoinPlan {
  size_t slot = 0;
  size_t parent_slot = 0;
  std::vector<size_t> parent_columns;
  bool inner = false;
};

struct OutputColumn {
  std::string name;
  NodePtr expr;
  bool direct = false;  // a bare column: copied cell by cell, without evaluating
};

struct FlowPlan {
  std::string name;
  std::vector<ScopeSlot> slots;  // 0: driving table, then one per JOIN
  std::vector<JoinPlan> joins;   // joins[i] is slot i + 1
  std::vector<OutputColumn> outputs;
  NodePtr where;  // null: every driving row
  std::vector<size_t> key_outputs;
  // The destination table, named like the flow; `schema` is left empty because the
  // warehouse schema is the sink's choice (sink.schema).
  TableSchemaPtr output_schema;
};

// Throws ConfigError "line L, column C: ..." for SQL problems and "flow NAME: ..." for
// problems of the flow's other keys.
FlowPlan plan_flow(const FlowConfig& flow, const std::vector<TableSchemaPtr>& captured);

}  // namespace sluice::transform
