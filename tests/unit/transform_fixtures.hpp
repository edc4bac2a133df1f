#pragma once
// Shared fixtures for the transform tests: the reference scenario's tables and an
// expression harness that compiles and evaluates one expression against one row.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/change.hpp"
#include "core/schema.hpp"
#include "transform/expression_compiler.hpp"
#include "transform/flow_parser.hpp"

namespace sluice::transform::testing {

inline Column col(std::string name, LogicalType type, std::string warehouse, bool key = false) {
  return Column{std::move(name), type, std::move(warehouse), key};
}

inline TableSchemaPtr make_table(std::string name, std::vector<Column> columns) {
  auto t = std::make_shared<TableSchema>();
  t->schema = "sports";
  t->name = std::move(name);
  t->columns = std::move(columns);
  return t;
}

struct ReferenceTables {
  TableSchemaPtr sport_event =
      make_table("sport_event", {col("event_id", LogicalType::kInt32, "integer", true),
                                 col("sport_type", LogicalType::kText, "text"),
                                 col("start_date", LogicalType::kDate, "date"),
                                 col("location", LogicalType::kText, "text")});
  TableSchemaPtr ticket =
      make_table("ticket", {col("ticket_id", LogicalType::kInt32, "integer", true),
                            col("event_id", LogicalType::kInt32, "integer"),
                            col("seat_level", LogicalType::kText, "text"),
                            col("seat_location", LogicalType::kText, "text"),
                            col("ticket_price", LogicalType::kInt32, "integer")});
  TableSchemaPtr customer =
      make_table("customer",
                 {col("customer_id", LogicalType::kInt32, "integer", true),
                  col("name", LogicalType::kText, "text"), col("email", LogicalType::kText, "text"),
                  col("phone", LogicalType::kText, "text")});
  TableSchemaPtr ticket_activity =
      make_table("ticket_activity",
                 {col("ticket_id", LogicalType::kInt32, "integer", true),
                  col("purchased_by", LogicalType::kInt32, "integer"),
                  col("created_at", LogicalType::kTimestamp, "timestamp without time zone"),
                  col("updated_at", LogicalType::kTimestamp, "timestamp without time zone")});

  std::vector<TableSchemaPtr> all() const {
    return {sport_event, ticket, customer, ticket_activity};
  }
};

inline constexpr std::string_view kReferenceSql =
    "SELECT a.ticket_id, t.event_id, e.sport_type, e.start_date, e.location,\n"
    "       t.seat_level, t.seat_location, t.ticket_price, a.purchased_by, c.name,\n"
    "       sha256(c.email) AS email_address, mask_digits(c.phone) AS phone_number,\n"
    "       a.created_at, a.updated_at\n"
    "FROM ticket_activity a\n"
    "LEFT JOIN ticket t ON t.ticket_id = a.ticket_id\n"
    "LEFT JOIN sport_event e ON e.event_id = t.event_id\n"
    "LEFT JOIN customer c ON c.customer_id = a.purchased_by\n";

// A row from optional cells: nullopt is a SQL NULL.
inline Row make_row(const std::vector<std::optional<std::string>>& cells) {
  Row row;
  for (const auto& c : cells) {
    if (c) {
      row.append(*c);
    } else {
      row.append_null();
    }
  }
  return row;
}

// One table holding a column of every type, for expression tests.
inline TableSchemaPtr typed_table() {
  return make_table(
      "typed",
      {col("id", LogicalType::kInt32, "integer", true), col("big", LogicalType::kInt64, "bigint"),
       col("amount", LogicalType::kNumeric, "numeric(12,2)"),
       col("ratio", LogicalType::kFloat64, "double precision"),
       col("name", LogicalType::kText, "text"), col("day", LogicalType::kDate, "date"),
       col("at", LogicalType::kTimestamp, "timestamp without time zone"),
       col("at_tz", LogicalType::kTimestampTz, "timestamp with time zone"),
       col("flag", LogicalType::kBool, "boolean"), col("token", LogicalType::kUuid, "uuid"),
       col("nothing", LogicalType::kText, "text")});
}

inline Row typed_row() {
  return make_row({"7", "9000000000", "12.50", "0.25", "Teresa Stein", "2021-09-01",
                   "2021-08-15 10:30:45.25", "2021-08-15 10:00:00+02", "t",
                   "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", std::nullopt});
}

// Compiles `expr` against typed_table() and evaluates it on typed_row(). Returns the
// canonical text, "NULL", or "ERROR: message" for a row-level error.
struct ExpressionHarness {
  TableSchemaPtr table = typed_table();
  std::vector<ScopeSlot> slots{{"x", table}};
  int64_t commit_time_us = 1'629'021'600'000'000;  // 2021-08-15 10:00:00 UTC

  NodePtr compile(std::string_view expr) const {
    ExpressionCompiler compiler(slots, 1, "SELECT");
    return compiler.compile(*parse_flow_expression(expr, 1));
  }

  std::string eval(std::string_view expr, const Row& input = typed_row()) const {
    NodePtr node = compile(expr);
    PackedRow packed = PackedRow::pack(input);
    const PackedRow* rows[1] = {&packed};
    EvalContext ctx;
    ctx.rows = rows;
    ctx.commit_time_us = commit_time_us;
    Value v = evaluate(*node, ctx);
    if (ctx.failed()) return "ERROR: " + ctx.error;
    if (v.null) return "NULL";
    Row out;
    append_value(v, node->type, out);
    return std::string(out.text(0));
  }
};

}  // namespace sluice::transform::testing
