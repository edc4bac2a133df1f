#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "transform/flow_plan.hpp"
#include "transform_fixtures.hpp"

namespace sluice::transform {
namespace {

using testing::ReferenceTables;

FlowConfig flow_with(std::string sql, std::vector<std::string> key = {"ticket_id"}) {
  FlowConfig f;
  f.name = "out";
  f.key = std::move(key);
  f.sql = std::move(sql);
  f.sql_line = 1;
  return f;
}

std::string plan_error(const FlowConfig& flow) {
  ReferenceTables tables;
  try {
    plan_flow(flow, tables.all());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

const Column& column_named(const TableSchema& t, std::string_view name) {
  int i = t.column_index(name);
  EXPECT_GE(i, 0) << name;
  return t.columns.at(static_cast<size_t>(i));
}

TEST(TransformPlan, ReferenceFlowOutputSchema) {
  ReferenceTables tables;
  FlowConfig flow = flow_with(std::string(testing::kReferenceSql));
  flow.name = "sport_event_activity";
  FlowPlan plan = plan_flow(flow, tables.all());
  const TableSchema& out = *plan.output_schema;
  EXPECT_EQ(out.name, "sport_event_activity");
  std::vector<std::string> names;
  for (const Column& c : out.columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "ticket_id", "event_id", "sport_type", "start_date", "location",
                       "seat_level", "seat_location", "ticket_price", "purchased_by", "name",
                       "email_address", "phone_number", "created_at", "updated_at"}));
  EXPECT_EQ(out.key_indexes(), (std::vector<size_t>{0}));
  EXPECT_EQ(column_named(out, "ticket_id").warehouse_type, "integer");
  EXPECT_EQ(column_named(out, "start_date").type, LogicalType::kDate);
  EXPECT_EQ(column_named(out, "email_address").warehouse_type, "character(64)");
  EXPECT_EQ(column_named(out, "phone_number").warehouse_type, "text");
  EXPECT_EQ(column_named(out, "created_at").warehouse_type, "timestamp without time zone");
  ASSERT_EQ(plan.joins.size(), 3u);
  EXPECT_EQ(plan.joins[1].parent_slot, 1u);  // sport_event is looked up from ticket
  EXPECT_EQ(plan.joins[2].parent_slot, 0u);
  EXPECT_TRUE(plan.outputs[0].direct);
  EXPECT_FALSE(plan.outputs[10].direct);
}

TEST(TransformPlan, InfersWarehouseTypes) {
  ReferenceTables tables;
  FlowPlan plan = plan_flow(
      flow_with("SELECT a.ticket_id, CAST(t.ticket_price AS numeric(10,2)) AS price,\n"
                " t.ticket_price + 1 AS plus_one, t.ticket_price * 1.5 AS scaled,\n"
                " CAST(a.ticket_id AS bigint) + t.ticket_price AS wide,\n"
                " t.ticket_price / 2.0::double precision AS half, upper(c.name) AS upper_name,\n"
                " date_trunc('day', a.created_at) AS day, EXTRACT(year FROM a.created_at) AS y,\n"
                " COALESCE(t.ticket_price, 0) AS price_or_zero, CAST(c.name AS varchar(20)) AS "
                "short_name,\n"
                " length(c.name) AS name_length, a.created_at < now() AS past, now() AS seen,\n"
                " hmac_sha256(c.email, 'HOME') AS token, e.start_date + 7 AS week_later\n"
                "FROM ticket_activity a LEFT JOIN ticket t ON t.ticket_id = a.ticket_id\n"
                "LEFT JOIN customer c ON c.customer_id = a.purchased_by\n"
                "LEFT JOIN sport_event e ON e.event_id = t.event_id"),
      tables.all());
  const TableSchema& out = *plan.output_schema;
  EXPECT_EQ(column_named(out, "price").warehouse_type, "numeric(10,2)");
  EXPECT_EQ(column_named(out, "plus_one").warehouse_type, "integer");
  EXPECT_EQ(column_named(out, "scaled").warehouse_type, "numeric");
  EXPECT_EQ(column_named(out, "wide").warehouse_type, "bigint");
  EXPECT_EQ(column_named(out, "half").warehouse_type, "double precision");
  EXPECT_EQ(column_named(out, "upper_name").warehouse_type, "text");
  EXPECT_EQ(column_named(out, "day").warehouse_type, "timestamp without time zone");
  EXPECT_EQ(column_named(out, "y").warehouse_type, "numeric");
  EXPECT_EQ(column_named(out, "price_or_zero").warehouse_type, "integer");
  EXPECT_EQ(column_named(out, "short_name").warehouse_type, "character varying(20)");
  EXPECT_EQ(column_named(out, "name_length").warehouse_type, "integer");
  EXPECT_EQ(column_named(out, "past").warehouse_type, "boolean");
  EXPECT_EQ(column_named(out, "seen").warehouse_type, "timestamp with time zone");
  EXPECT_EQ(column_named(out, "token").warehouse_type, "character(64)");
  EXPECT_EQ(column_named(out, "week_later").warehouse_type, "date");
  EXPECT_EQ(column_named(out, "week_later").type, LogicalType::kDate);
}

TEST(TransformPlan, NameAndJoinErrorsPointAtTheText) {
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id,\n  a.nope FROM ticket_activity a")),
            "line 2, column 3: table 'a' (sports.ticket_activity) has no column 'nope'");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id FROM tickets a")),
            "line 1, column 25: table 'tickets' is not captured by this pipeline (captured: "
            "sport_event, ticket, customer, ticket_activity)");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id FROM ticket_activity a\n"
                                 "LEFT JOIN ticket t ON t.event_id = a.ticket_id")),
            "line 2, column 23: 'event_id' is not part of sports.ticket's primary key; lookups "
            "must match the key");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id FROM ticket_activity a\n"
                                 "LEFT JOIN ticket t ON t.ticket_id > a.ticket_id")),
            "line 2, column 35: ON must compare the joined table's primary key with columns of "
            "one earlier table, e.g. ON t.ticket_id = a.ticket_id [AND ...]");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id FROM ticket_activity a\n"
                                 "LEFT JOIN ticket t ON t.ticket_id = e.event_id\n"
                                 "LEFT JOIN sport_event e ON e.event_id = t.event_id")),
            "line 2, column 37: unknown table alias 'e'");
  EXPECT_EQ(plan_error(flow_with("SELECT ticket_id FROM ticket_activity a\n"
                                 "LEFT JOIN ticket t ON t.ticket_id = a.ticket_id")),
            "line 1, column 8: column 'ticket_id' is ambiguous: qualify it as a.ticket_id or "
            "t.ticket_id");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id FROM ticket_activity a\n"
                                 "LEFT JOIN customer c ON c.customer_id = a.purchased_by\n"
                                 "WHERE c.name IS NOT NULL")),
            "line 3, column 7: WHERE can use only columns of the driving table 'a'");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id, a.ticket_id + 1 FROM ticket_activity a")),
            "line 1, column 21: name this expression with AS, e.g. sha256(c.email) AS email_hash");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id, a.purchased_by AS ticket_id FROM "
                                 "ticket_activity a")),
            "line 1, column 21: output column 'ticket_id' appears twice");
}

TEST(TransformPlan, TypeErrorsAreCaughtAtStart) {
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id, a.ticket_id + a.created_at AS x FROM "
                                 "ticket_activity a")),
            "line 1, column 33: operator + needs numbers, got integer and timestamp");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id, lower(a.ticket_id) AS x FROM "
                                 "ticket_activity a")),
            "line 1, column 27: lower() expects text, got integer; write CAST(x AS text)");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id FROM ticket_activity a WHERE a.created_at "
                                 "> '2021-13-01'")),
            "line 1, column 64: invalid input syntax for type timestamp: '2021-13-01'");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id FROM ticket_activity a WHERE a.ticket_id")),
            "line 1, column 49: WHERE needs a boolean condition, got integer");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id, nosuch(a.ticket_id) AS x FROM "
                                 "ticket_activity a")),
            "line 1, column 21: unknown function 'nosuch'; flows support coalesce, nullif, lower, "
            "upper, trim, ltrim, rtrim, substring, length, replace, date_trunc, extract, "
            "now, current_date, sha256, hmac_sha256, mask_digits, mask, redact, email_domain");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id, count(a.ticket_id) AS n FROM "
                                 "ticket_activity a")),
            "line 1, column 21: aggregate function count() is not supported; " +
                std::string(kSupportedSubset));
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id, date_trunc('fortnight', a.created_at) AS "
                                 "x FROM ticket_activity a")),
            "line 1, column 32: unknown date_trunc unit 'fortnight'");
}

TEST(TransformPlan, KeyMustBeAnOutputOfTheDrivingTable) {
  EXPECT_EQ(plan_error(flow_with("SELECT a.purchased_by FROM ticket_activity a")),
            "flow out: key column 'ticket_id' is not in the SELECT list");
  EXPECT_EQ(plan_error(flow_with("SELECT t.ticket_id FROM ticket_activity a LEFT JOIN ticket t "
                                 "ON t.ticket_id = a.ticket_id")),
            "flow out: key column 'ticket_id' must be computed from the driving table 'a' only");
}

TEST(TransformPlan, HmacKeyComesFromTheEnvironmentAndNeverShows) {
  ::unsetenv("SLUICE_TEST_MISSING_KEY");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id, hmac_sha256(a.ticket_id, "
                                 "'SLUICE_TEST_MISSING_KEY') AS t FROM ticket_activity a")),
            "line 1, column 46: hmac_sha256 key variable SLUICE_TEST_MISSING_KEY is not set in "
            "the environment");
  ::setenv("SLUICE_TEST_KEY", "super-secret-value", 1);
  std::string error =
      plan_error(flow_with("SELECT a.ticket_id, hmac_sha256(a.ticket_id, 'SLUICE_TEST_KEY') AS t,\n"
                           " hmac_sha256(a.nope, 'SLUICE_TEST_KEY') AS u FROM ticket_activity a"));
  EXPECT_NE(error, "");
  EXPECT_EQ(error.find("super-secret-value"), std::string::npos);
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id, hmac_sha256(a.ticket_id, 'SLUICE_TEST_KEY') "
                                 "AS t FROM ticket_activity a")),
            "");
}

TEST(TransformPlan, MatchesSchemaQualifiedNames) {
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id FROM sports.ticket_activity a")), "");
  EXPECT_EQ(plan_error(flow_with("SELECT a.ticket_id FROM other.ticket_activity a")),
            "line 1, column 25: table 'other.ticket_activity' is not captured by this pipeline "
            "(captured: sport_event, ticket, customer, ticket_activity)");
}

}  // namespace
}  // namespace sluice::transform
