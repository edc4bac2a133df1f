#include "sink/postgres/sql_dialect.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace sluice {
namespace {

TableSchema sample_table() {
  TableSchema t;
  t.name = "orders";
  t.columns = {{"id", LogicalType::kInt64, "bigint", true},
               {"note", LogicalType::kText, "text", false},
               {"doc", LogicalType::kJson, "jsonb", false},
               {"raw", LogicalType::kBytes, "bytea", false},
               {"at", LogicalType::kTimestampTz, "timestamp(6) with time zone", false},
               {"price", LogicalType::kNumeric, "numeric(12,2)", false}};
  return t;
}

// Every statement the Redshift dialect can emit for a table.
std::vector<std::string> redshift_statements() {
  auto dialect = SqlDialect::make(SinkType::kRedshift);
  TableSchema table = sample_table();
  std::vector<std::string> all = {dialect->create_table("\"dw\".\"orders\"", table),
                                  dialect->add_column("\"dw\".\"orders\"", table.columns[1]),
                                  dialect->create_staging("sluice_stage_0", table),
                                  dialect->clear_staging("sluice_stage_0"),
                                  dialect->truncate("\"dw\".\"orders\""),
                                  dialect->create_checkpoint_table("\"dw\".\"sluice_checkpoint\"")};
  for (std::string& s : dialect->merge("\"dw\".\"orders\"", "sluice_stage_0", table))
    all.push_back(s);
  for (std::string& s : dialect->write_checkpoint("\"dw\".\"sluice_checkpoint\"")) all.push_back(s);
  return all;
}

TEST(RedshiftDialect, UsesOnlyRedshiftSyntax) {
  // Constructs Redshift rejects (or, for TRUNCATE, that would commit the open transaction).
  const std::vector<std::string> forbidden = {"ON CONFLICT",
                                              "DISTINCT ON",
                                              "FROM STDIN",
                                              "ON COMMIT",
                                              "RETURNING",
                                              "::",
                                              "TRUNCATE",
                                              "MERGE",
                                              "ADD COLUMN IF NOT EXISTS",
                                              "to_timestamp",
                                              "now()",
                                              "jsonb",
                                              "bytea",
                                              " text",
                                              "timestamp(6)",
                                              "E'"};
  for (const std::string& statement : redshift_statements())
    for (const std::string& word : forbidden)
      EXPECT_EQ(statement.find(word), std::string::npos) << word << " in: " << statement;
}

TEST(RedshiftDialect, MapsTypesToRedshiftTypes) {
  auto dialect = SqlDialect::make(SinkType::kRedshift);
  auto type_of = [&](std::string pg) {
    return dialect->column_type(Column{"c", LogicalType::kOther, std::move(pg), false});
  };
  EXPECT_EQ(type_of("text"), "VARCHAR(65535)");
  EXPECT_EQ(type_of("jsonb"), "VARCHAR(65535)");
  EXPECT_EQ(type_of("bytea"), "VARBYTE(1024000)");
  EXPECT_EQ(type_of("uuid"), "CHAR(36)");
  EXPECT_EQ(type_of("character varying(20)"), "VARCHAR(20)");
  EXPECT_EQ(type_of("timestamp(6) with time zone"), "TIMESTAMPTZ");
  EXPECT_EQ(type_of("timestamp without time zone"), "TIMESTAMP");
  EXPECT_EQ(type_of("numeric(12,2)"), "numeric(12,2)");
  EXPECT_EQ(type_of("numeric"), "NUMERIC(38,10)");
  EXPECT_EQ(type_of("integer[]"), "VARCHAR(65535)");
  EXPECT_EQ(type_of("bigint"), "bigint");
}

TEST(RedshiftDialect, MergeIsDeleteThenInsertOfTheLatestChangePerKey) {
  auto dialect = SqlDialect::make(SinkType::kRedshift);
  std::vector<std::string> merge = dialect->merge("\"dw\".\"orders\"", "s", sample_table());
  ASSERT_EQ(merge.size(), 5u);
  EXPECT_NE(merge[1].find("ROW_NUMBER() OVER (PARTITION BY \"id\" ORDER BY sluice_seq DESC)"),
            std::string::npos);
  EXPECT_EQ(merge[3].rfind("DELETE FROM \"dw\".\"orders\" USING s_latest", 0), 0u);
  EXPECT_EQ(merge[4].rfind("INSERT INTO \"dw\".\"orders\"", 0), 0u);
}

TEST(PostgresDialect, MergeKeepsUnchangedToastValues) {
  auto dialect = SqlDialect::make(SinkType::kPostgres);
  std::vector<std::string> merge = dialect->merge("\"dw\".\"orders\"", "s", sample_table());
  ASSERT_EQ(merge.size(), 1u);
  EXPECT_NE(merge[0].find("\"note\" = CASE WHEN substring(s.sluice_unchanged, 2, 1) = 'u' THEN "
                          "t.\"note\" ELSE s.\"note\" END"),
            std::string::npos)
      << merge[0];
}

TEST(SqlDialect, QuotesIdentifiers) {
  EXPECT_EQ(quote_identifier("plain"), "\"plain\"");
  EXPECT_EQ(quote_identifier("we\"ird"), "\"we\"\"ird\"");
}

}  // namespace
}  // namespace sluice
