#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "transform/flow_parser.hpp"
#include "transform_fixtures.hpp"

namespace sluice::transform {
namespace {

std::string parse_error(std::string_view sql, int base_line = 1) {
  try {
    parse_flow_sql(sql, base_line);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(TransformParser, ParsesTheReferenceFlow) {
  FlowQuery q = parse_flow_sql(testing::kReferenceSql, 1);
  ASSERT_EQ(q.items.size(), 14u);
  EXPECT_EQ(q.items[0].expr->kind, AstKind::kColumn);
  EXPECT_EQ(q.items[0].expr->qualifier, "a");
  EXPECT_EQ(q.items[0].expr->name, "ticket_id");
  EXPECT_EQ(q.items[10].alias, "email_address");
  EXPECT_EQ(q.items[10].expr->kind, AstKind::kCall);
  EXPECT_EQ(q.items[10].expr->name, "sha256");
  EXPECT_EQ(q.from.name, "ticket_activity");
  EXPECT_EQ(q.from.alias, "a");
  ASSERT_EQ(q.joins.size(), 3u);
  EXPECT_EQ(q.joins[1].table.name, "sport_event");
  EXPECT_EQ(q.joins[1].table.alias, "e");
  EXPECT_TRUE(q.joins[2].left);
  EXPECT_EQ(q.joins[2].pos.line, 8);
  EXPECT_EQ(q.joins[2].pos.column, 1);
  EXPECT_EQ(q.where, nullptr);
}

TEST(TransformParser, KeywordsAreCaseInsensitiveAndNamesLowercased) {
  FlowQuery q = parse_flow_sql(
      "select A.X as Y from Public.T a Left Outer Join U on U.ID = A.X inner join V v on v.id = "
      "a.x Where A.X Is Not Null",
      1);
  EXPECT_EQ(q.items[0].alias, "y");
  EXPECT_EQ(q.from.schema, "public");
  EXPECT_EQ(q.from.name, "t");
  EXPECT_EQ(q.joins[0].table.alias, "u");
  EXPECT_TRUE(q.joins[0].left);
  EXPECT_FALSE(q.joins[1].left);
  ASSERT_NE(q.where, nullptr);
  EXPECT_EQ(q.where->kind, AstKind::kIsNull);
  EXPECT_TRUE(q.where->negated);
}

TEST(TransformParser, QuotedIdentifiersKeepCase) {
  FlowQuery q = parse_flow_sql(R"(SELECT "O"."Weird ""Col""" AS "Mixed Case" FROM "Order" "O")", 1);
  EXPECT_EQ(q.items[0].expr->qualifier, "O");
  EXPECT_EQ(q.items[0].expr->name, "Weird \"Col\"");
  EXPECT_EQ(q.items[0].alias, "Mixed Case");
  EXPECT_EQ(q.from.name, "Order");
  EXPECT_EQ(q.from.alias, "O");
}

TEST(TransformParser, Literals) {
  AstPtr e = parse_flow_expression("'it''s' || 12 || 1.5e3 || NULL || TRUE || false", 1);
  // Left-associative: the innermost left operand is the string.
  const Ast* node = e.get();
  while (node->kind == AstKind::kBinary) node = node->args[0].get();
  EXPECT_EQ(node->literal, LiteralKind::kString);
  EXPECT_EQ(node->text, "it's");
  EXPECT_EQ(e->args[1]->literal, LiteralKind::kBool);
  EXPECT_EQ(e->args[1]->text, "f");
  EXPECT_EQ(e->args[0]->args[0]->args[1]->literal, LiteralKind::kNull);
  EXPECT_EQ(e->args[0]->args[0]->args[0]->args[1]->text, "1.5e3");
}

TEST(TransformParser, PrecedenceFollowsPostgres) {
  AstPtr e = parse_flow_expression("a = 1 OR b = 2 AND NOT c + 2 * 3 > 4", 1);
  EXPECT_EQ(e->op, "or");
  EXPECT_EQ(e->args[1]->op, "and");
  const Ast& negation = *e->args[1]->args[1];
  EXPECT_EQ(negation.op, "not");
  EXPECT_EQ(negation.args[0]->op, ">");
  EXPECT_EQ(negation.args[0]->args[0]->op, "+");
  EXPECT_EQ(negation.args[0]->args[0]->args[1]->op, "*");
}

TEST(TransformParser, SpecialCallSyntax) {
  AstPtr sub = parse_flow_expression("SUBSTRING(x FROM 2 FOR 3)", 1);
  EXPECT_EQ(sub->name, "substring");
  EXPECT_EQ(sub->args.size(), 3u);
  AstPtr ext = parse_flow_expression("EXTRACT(year FROM ts)", 1);
  EXPECT_EQ(ext->name, "extract");
  EXPECT_EQ(ext->args[0]->text, "year");
  AstPtr trim = parse_flow_expression("TRIM(LEADING 'x' FROM name)", 1);
  EXPECT_EQ(trim->name, "ltrim");
  EXPECT_EQ(trim->args[1]->text, "x");
  AstPtr cast = parse_flow_expression("CAST(x AS numeric(10, 2))", 1);
  EXPECT_EQ(cast->cast_type.name, "numeric");
  EXPECT_EQ(cast->cast_type.params, (std::vector<int>{10, 2}));
  AstPtr pg_cast = parse_flow_expression("x::timestamp with time zone", 1);
  EXPECT_EQ(pg_cast->cast_type.name, "timestamptz");
  AstPtr named = parse_flow_expression("mask(x, keep_last => 4)", 1);
  EXPECT_EQ(named->arg_names[1], "keep_last");
}

TEST(TransformParser, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(parse_error("SELECT a.x,\n  a.y\nFROM t a\nORDER BY a.x", 20),
            "line 23, column 1: ORDER is not supported; " + std::string(kSupportedSubset));
  EXPECT_EQ(parse_error("SELECT a.x FROM t a GROUP BY a.x", 10),
            "line 10, column 21: GROUP is not supported; " + std::string(kSupportedSubset));
  EXPECT_EQ(parse_error("SELECT x FROM (SELECT 1) s"),
            "line 1, column 15: subqueries are not supported; " + std::string(kSupportedSubset));
  EXPECT_EQ(parse_error("SELECT x FROM t UNION SELECT y FROM u"),
            "line 1, column 17: UNION is not supported; " + std::string(kSupportedSubset));
  EXPECT_EQ(
      parse_error("SELECT row_number() OVER (ORDER BY x) AS r FROM t"),
      "line 1, column 21: window functions are not supported; " + std::string(kSupportedSubset));
  EXPECT_EQ(parse_error("SELECT 'abc FROM t", 5), "line 5, column 8: unterminated string literal");
  EXPECT_EQ(parse_error("SELECT a # b FROM t"), "line 1, column 10: unexpected character '#'");
  EXPECT_EQ(parse_error("SELECT a"), "line 1, column 9: expected FROM after the SELECT list");
  EXPECT_EQ(parse_error("SELECT x FROM t RIGHT JOIN u ON u.id = t.id"),
            "line 1, column 17: only LEFT JOIN and JOIN (inner) lookups are supported; " +
                std::string(kSupportedSubset));
  EXPECT_EQ(parse_error("SELECT * FROM t"),
            "line 1, column 8: SELECT * is not supported: list the columns; " +
                std::string(kSupportedSubset));
  EXPECT_EQ(parse_error("SELECT x FROM t WHERE x IN (1, 2)"),
            "line 1, column 25: IN is not supported; use =, <>, <, <=, >, >=, AND, OR");
  EXPECT_EQ(parse_error("SELECT DISTINCT x FROM t"),
            "line 1, column 8: SELECT DISTINCT is not supported; " + std::string(kSupportedSubset));
  EXPECT_EQ(parse_error("WITH s AS (SELECT 1) SELECT x FROM s"),
            "line 1, column 1: WITH (common table expressions) is not supported; " +
                std::string(kSupportedSubset));
  EXPECT_EQ(parse_error("SELECT x FROM t, u"),
            "line 1, column 16: comma joins are not supported; use LEFT JOIN ... ON; " +
                std::string(kSupportedSubset));
  EXPECT_EQ(parse_error("SELECT CAST(x AS money) AS m FROM t"),
            "line 1, column 18: unsupported type 'money'; supported: integer, bigint, numeric, "
            "text, varchar, date, timestamp, timestamptz, boolean, double precision");
}

TEST(TransformParser, CommentsAreSkippedAndPositionsStayRight) {
  EXPECT_EQ(parse_error("SELECT x -- a comment\n/* block\n comment */ FROM t LIMIT 5", 3),
            "line 5, column 20: LIMIT is not supported; " + std::string(kSupportedSubset));
}

TEST(TransformParser, ExpressionErrors) {
  EXPECT_THROW(parse_flow_expression("CASE WHEN x THEN 1", 1), ConfigError);
  EXPECT_THROW(parse_flow_expression("f(x", 1), ConfigError);
  EXPECT_THROW(parse_flow_expression("x IS 5", 1), ConfigError);
  EXPECT_THROW(parse_flow_expression("12abc", 1), ConfigError);
  EXPECT_THROW(parse_flow_expression("CAST(x AS numeric(2, 5))", 1), ConfigError);
}

}  // namespace
}  // namespace sluice::transform
